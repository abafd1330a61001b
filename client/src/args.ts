// The command line: `shellgate SUBCOMMAND [options] [operands]`, parsed with node:util's parseArgs.
// `exec` stops reading options at its PROFILE, so the remote command's own options (`sh -c 'ls -l'`)
// stay the remote command's.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { GATEWAY_OPTIONS } from './command-names.js';
import { ClientError, ClientErrorCode } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Accepted by every subcommand: the gateway options, and `--help`. */
export const CONNECTION_OPTIONS = {
  ...GATEWAY_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export interface Parsed<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
}

/**
 * A session id: 24 base64url characters, and one in 32 begins with "-". Taken for an option it
 * would make `shellgate kill -Xk…` a usage error; no option looks like it.
 */
const DASHED_SESSION_ID = /^-[A-Za-z0-9_-]{23}$/;
/** Stands in for a dashed session id while parseArgs reads the rest ("\0" is never typed). */
const PLACEHOLDER = '\0id';

function usageError(error: unknown, usage: string): ClientError {
  const message = error instanceof Error ? error.message : String(error);
  return new ClientError(ClientErrorCode.Usage, `${message}\n${usage}`, { cause: error });
}

/**
 * Parses `args` against `options`. With `stopAtOperand`, everything from the first operand on is
 * returned as operands, options included.
 */
export function parseCommand<O extends Options>(
  args: readonly string[],
  options: O,
  usage: string,
  stopAtOperand = false,
): Parsed<O> {
  let own = [...args];
  let rest: string[] = [];
  if (stopAtOperand) {
    const { tokens } = parseArgs({ args: own, options, strict: false, allowPositionals: true, tokens: true });
    const first = tokens.find((token) => token.kind === 'positional' || token.kind === 'option-terminator');
    if (first !== undefined) {
      rest = own.slice(first.kind === 'option-terminator' ? first.index + 1 : first.index);
      own = own.slice(0, first.index);
    }
  }
  const ids: string[] = [];
  own = own.map((arg) => {
    if (!DASHED_SESSION_ID.test(arg)) return arg;
    ids.push(arg);
    return `${PLACEHOLDER}${ids.length - 1}`;
  });
  const restore = (arg: string): string =>
    arg.startsWith(PLACEHOLDER) ? (ids[Number(arg.slice(PLACEHOLDER.length))] ?? arg) : arg;
  try {
    const { values, positionals } = parseArgs({ args: own, options, strict: true, allowPositionals: true });
    return { values, positionals: [...positionals.map(restore), ...rest] };
  } catch (error) {
    throw usageError(error, usage);
  }
}

/** A non-negative integer option (`--offset`, `--grace`), or undefined when absent. */
export function parseCount(
  name: string,
  text: string | undefined,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value <= max)) {
    throw new ClientError(
      ClientErrorCode.Usage,
      `invalid --${name} ${JSON.stringify(text)}: expected an integer from 0 to ${max}`,
    );
  }
  return value;
}

/** Exactly one operand, the session id. */
export function sessionIdOperand(positionals: string[], usage: string): string {
  const [id, ...extra] = positionals;
  if (id === undefined || id === '')
    throw new ClientError(ClientErrorCode.Usage, `missing session ID\n${usage}`);
  if (extra.length > 0) {
    throw new ClientError(ClientErrorCode.Usage, `unexpected operand ${JSON.stringify(extra[0])}\n${usage}`);
  }
  return id;
}
