// `shellgate SUBCOMMAND …` for the client's subcommands: runs one and resolves its exit status. A
// ClientError (or any other failure) becomes one `shellgate: …` line on stderr and status 255.
import type { CommandContext } from './command.js';
import type { ClientCommand } from './command-names.js';
import { ATTACH_USAGE, attachCommand } from './commands/attach.js';
import { EXEC_USAGE, execCommand } from './commands/exec.js';
import { KILL_USAGE, killCommand } from './commands/kill.js';
import { LOGS_USAGE, logsCommand } from './commands/logs.js';
import { LS_USAGE, lsCommand } from './commands/ls.js';
import { SHARE_USAGE, shareCommand } from './commands/share.js';
import { ClientError, FAILURE_STATUS } from './errors.js';

const COMMANDS: Record<ClientCommand, (args: readonly string[], context: CommandContext) => Promise<number>> =
  {
    exec: execCommand,
    attach: attachCommand,
    ls: lsCommand,
    kill: killCommand,
    logs: logsCommand,
    share: shareCommand,
  };

export const CLIENT_USAGE = `${EXEC_USAGE}
       ${ATTACH_USAGE.replace('usage: ', '')}
       ${LS_USAGE.replace('usage: ', '')}
       ${KILL_USAGE.replace('usage: ', '')}
       ${LOGS_USAGE.replace('usage: ', '')}
       ${SHARE_USAGE.replace('usage: ', '')}

Gateway options, before the command or after it:
  --url URL          the gateway (default: $SHELLGATE_URL, else http://127.0.0.1:8022)
  --token-file FILE  read the token from FILE (default: $SHELLGATE_TOKEN)
  --ca FILE          also trust the CA certificates in FILE (PEM)
  --insecure         allow sending the token over plain http to another host

shellgate --version prints the client's version.

Exit status: the remote command's; 128+N when a signal N killed it; 255 when the client or the
gateway failed (one line on stderr says why). docs/client.md has the details.
`;

export function say(line: string): void {
  process.stderr.write(`shellgate: ${line}\n`);
}

export async function runClient(
  command: ClientCommand,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const context: CommandContext = {
    env,
    say,
    print(text) {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      return 0;
    },
  };
  // A bug that throws from an event handler still ends as a failure of the client: one line, 255,
  // and the terminal restored (by the exit handler raw mode installed).
  const crash = (error: unknown): void => {
    say(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(FAILURE_STATUS);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  try {
    return await COMMANDS[command](args, context);
  } catch (error) {
    if (error instanceof ClientError) say(error.message);
    else say(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return FAILURE_STATUS;
  }
}
