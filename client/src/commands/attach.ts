// `shellgate attach [--view] [--offset N] ID`: joins a running session — as control, or only
// watching with --view — until it exits or the operator types the detach sequence.
import { streamUrl } from '@shellgate/shared';
import { CONNECTION_OPTIONS, parseCommand, parseCount, sessionIdOperand } from '../args.js';
import { getSession } from '../api.js';
import type { CommandContext } from '../command.js';
import { resolveTarget } from '../credentials.js';
import { exitStatus } from '../exit-status.js';
import { runInteractive } from '../interactive.js';
import { SessionStream } from '../stream.js';

export const ATTACH_USAGE = 'usage: shellgate attach [--view] [--offset N] ID';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  view: { type: 'boolean' },
  offset: { type: 'string' },
} as const;

export async function attachCommand(args: readonly string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS, ATTACH_USAGE);
  if (values.help === true) return context.print(ATTACH_USAGE);
  const id = sessionIdOperand(positionals, ATTACH_USAGE);
  const offset = parseCount('offset', values.offset);
  const target = resolveTarget(values, context.env);
  // Knowing the session first gives a missing one a clear error, and says whether it is a terminal.
  const session = await getSession(target, id);
  const role = values.view === true ? 'view' : 'control';
  const stream = new SessionStream({
    target,
    firstUrl: (query) => streamUrl(target.baseUrl, session.id, query),
    role,
    offset,
    stdout: process.stdout,
    stderr: process.stderr,
    say: context.say,
  });
  const end = await runInteractive(stream, {
    tty: session.mode === 'pty' && process.stdin.isTTY === true,
    forwardStdin: role === 'control',
    closeStdin: false,
    detachKeys: true,
    control: role === 'control',
    say: context.say,
  });
  if (end.kind === 'detached') context.say(`detached from ${session.id}; it keeps running`);
  return end.kind === 'exit' ? exitStatus(end.exit) : 0;
}
