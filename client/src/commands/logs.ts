// `shellgate logs [-f] [--offset N] ID`: what the replay buffer still holds (a gap before it is
// reported on stderr), then — with -f — the live output until the session exits. Watches only.
import { streamUrl } from '@shellgate/shared';
import { CONNECTION_OPTIONS, parseCommand, parseCount, sessionIdOperand } from '../args.js';
import type { CommandContext } from '../command.js';
import { resolveTarget } from '../credentials.js';
import { SessionStream } from '../stream.js';

export const LOGS_USAGE = 'usage: shellgate logs [-f|--follow] [--offset N] ID';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  follow: { type: 'boolean', short: 'f' },
  offset: { type: 'string' },
} as const;

export async function logsCommand(args: readonly string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS, LOGS_USAGE);
  if (values.help === true) return context.print(LOGS_USAGE);
  const id = sessionIdOperand(positionals, LOGS_USAGE);
  const offset = parseCount('offset', values.offset) ?? 0;
  const target = resolveTarget(values, context.env);
  const stream = new SessionStream({
    target,
    firstUrl: (query) => streamUrl(target.baseUrl, id, query),
    role: 'view',
    offset,
    stopWhenCaughtUp: values.follow !== true,
    stdout: process.stdout,
    stderr: process.stderr,
    say: context.say,
  });
  await stream.start();
  return 0;
}
