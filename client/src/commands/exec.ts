// `shellgate exec [-t|--tty] [-n|--no-stdin] [--node N] PROFILE [ARGS…]`: one handshake starts the
// session and attaches to it as control (the exec upgrade); the remote exit status becomes ours.
import { execUrl } from '@shellgate/shared';
import { CONNECTION_OPTIONS, parseCommand } from '../args.js';
import { resolveTarget } from '../credentials.js';
import { ClientError, ClientErrorCode } from '../errors.js';
import { exitStatus } from '../exit-status.js';
import { runInteractive } from '../interactive.js';
import type { CommandContext } from '../command.js';
import { SessionStream } from '../stream.js';

export const EXEC_USAGE = 'usage: shellgate exec [-t|--tty] [-n|--no-stdin] [--node N] PROFILE [ARGS…]';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  tty: { type: 'boolean', short: 't' },
  'no-stdin': { type: 'boolean', short: 'n' },
  node: { type: 'string' },
} as const;

export async function execCommand(args: readonly string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS, EXEC_USAGE, true);
  if (values.help === true) return context.print(EXEC_USAGE);
  const [profile, ...remoteArgs] = positionals;
  if (profile === undefined || profile === '') {
    throw new ClientError(ClientErrorCode.Usage, `missing PROFILE\n${EXEC_USAGE}`);
  }
  const target = resolveTarget(values, context.env);
  const tty = values.tty === true;
  const size = tty && process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : {};
  const stream = new SessionStream({
    target,
    firstUrl: () =>
      execUrl(target.baseUrl, {
        profile,
        ...(remoteArgs.length > 0 ? { args: remoteArgs } : {}),
        ...size,
        ...(values.node === undefined ? {} : { node: values.node }),
      }),
    role: 'control',
    stdout: process.stdout,
    stderr: process.stderr,
    say: context.say,
  });
  const noStdin = values['no-stdin'] === true;
  const end = await runInteractive(stream, {
    tty,
    forwardStdin: !noStdin,
    closeStdin: noStdin,
    detachKeys: false,
    control: true,
    say: context.say,
  });
  return end.kind === 'exit' ? exitStatus(end.exit) : 0;
}
