// `shellgate share [--control] [--ttl SECONDS] [--json] ID`: a share link to one session
// (docs/sharing.md). Prints the link's URL — the only time its secret is shown — or, with --json,
// the gateway's whole answer.
import { CONNECTION_OPTIONS, parseCommand, parseCount, sessionIdOperand } from '../args.js';
import { createShare } from '../api.js';
import type { CommandContext } from '../command.js';
import { resolveTarget } from '../credentials.js';

export const SHARE_USAGE = 'usage: shellgate share [--control] [--ttl SECONDS] [--json] ID';

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  control: { type: 'boolean' },
  ttl: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** A day is the gateway's default cap; the gateway says so if its own cap is lower. */
const MAX_TTL_SECONDS = 365 * 24 * 60 * 60;

export async function shareCommand(args: readonly string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS, SHARE_USAGE);
  if (values.help === true) return context.print(SHARE_USAGE);
  const id = sessionIdOperand(positionals, SHARE_USAGE);
  const ttlSeconds = parseCount('ttl', values.ttl, MAX_TTL_SECONDS);
  const answer = await createShare(resolveTarget(values, context.env), id, {
    mode: values.control === true ? 'control' : 'view',
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
  });
  if (values.json === true) return context.print(JSON.stringify(answer, null, 2));
  context.say(`${answer.share.mode} link to ${answer.share.session}, expires ${answer.share.expiresAt}`);
  return context.print(answer.url);
}
