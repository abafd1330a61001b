// `shellgate ls [--json]`: the sessions this credential may see, as a table or as the API's JSON.
import type { SessionInfo } from '@shellgate/shared';
import { CONNECTION_OPTIONS, parseCommand } from '../args.js';
import { listSessions } from '../api.js';
import type { CommandContext } from '../command.js';
import { resolveTarget } from '../credentials.js';
import { ClientError, ClientErrorCode } from '../errors.js';

export const LS_USAGE = 'usage: shellgate ls [--json]';

const OPTIONS = { ...CONNECTION_OPTIONS, json: { type: 'boolean' } } as const;

function status(session: SessionInfo): string {
  if (session.exit === null) return session.state;
  return session.exit.signal !== null
    ? `exited (${session.exit.signal})`
    : `exited (${session.exit.code ?? '?'})`;
}

/** Columns padded to their widest cell; the last one (the command line) is left ragged. */
export function formatTable(sessions: readonly SessionInfo[]): string {
  const rows = [
    ['ID', 'PROFILE', 'MODE', 'STATE', 'PID', 'CLIENTS', 'OUTPUT', 'STARTED', 'COMMAND'],
    ...sessions.map((s) => [
      s.id,
      s.profile,
      s.mode,
      status(s),
      s.pid === null ? '-' : String(s.pid),
      String(s.clients),
      String(s.outputBytes),
      s.startedAt,
      s.argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' '),
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

export async function lsCommand(args: readonly string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS, LS_USAGE);
  if (values.help === true) return context.print(LS_USAGE);
  if (positionals.length > 0) {
    throw new ClientError(
      ClientErrorCode.Usage,
      `unexpected operand ${JSON.stringify(positionals[0])}\n${LS_USAGE}`,
    );
  }
  const sessions = await listSessions(resolveTarget(values, context.env));
  return context.print(values.json === true ? JSON.stringify({ sessions }, null, 2) : formatTable(sessions));
}
