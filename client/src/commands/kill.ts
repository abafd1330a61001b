// `shellgate kill [--signal SIG] [--grace MS] ID`: without --signal, terminate the session with the
// gateway's escalation (stdin, SIGHUP, SIGTERM, SIGKILL; --grace sets each wait) and wait for its
// exit; with --signal, send that one signal to its process group and return.
import { SIGNALS } from '@shellgate/shared';
import type { SignalName } from '@shellgate/shared';
import { CONNECTION_OPTIONS, parseCommand, parseCount, sessionIdOperand } from '../args.js';
import { signalSession, terminateSession } from '../api.js';
import type { CommandContext } from '../command.js';
import { resolveTarget } from '../credentials.js';
import { ClientError, ClientErrorCode } from '../errors.js';

export const KILL_USAGE = 'usage: shellgate kill [--signal SIG] [--grace MS] ID';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  signal: { type: 'string', short: 's' },
  grace: { type: 'string' },
} as const;

const MAX_GRACE_MS = 60_000;

function signalName(text: string): SignalName {
  const name = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
  const known = SIGNALS.find((signal) => signal === name);
  if (known === undefined) {
    throw new ClientError(
      ClientErrorCode.Usage,
      `invalid --signal ${JSON.stringify(text)}: expected one of ${SIGNALS.join(' ')}`,
    );
  }
  return known;
}

export async function killCommand(args: readonly string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS, KILL_USAGE);
  if (values.help === true) return context.print(KILL_USAGE);
  const id = sessionIdOperand(positionals, KILL_USAGE);
  const grace = parseCount('grace', values.grace, MAX_GRACE_MS);
  const signal = values.signal === undefined ? undefined : signalName(values.signal);
  if (signal !== undefined && grace !== undefined) {
    throw new ClientError(
      ClientErrorCode.Usage,
      `--grace applies to a termination, not to --signal\n${KILL_USAGE}`,
    );
  }
  const target = resolveTarget(values, context.env);
  if (signal !== undefined) await signalSession(target, id, signal);
  else await terminateSession(target, id, grace);
  return 0;
}
