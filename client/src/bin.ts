#!/usr/bin/env node
// The standalone client (the bundle the gateway serves, and the `shellgate` of its npm tarball):
// the client's subcommands only — there is no gateway in it.
import { SHELLGATE_VERSION } from '@shellgate/shared';
import { isClientCommand, splitCommandLine } from './command-names.js';
import { FAILURE_STATUS } from './errors.js';
import { exitWhenFlushed } from './exit.js';
import { CLIENT_USAGE, runClient, say } from './main.js';

async function main(argv: string[]): Promise<number> {
  const { command, args } = splitCommandLine(argv);
  if (isClientCommand(command)) return runClient(command, args);
  if (command === '--version' || command === 'version') {
    process.stdout.write(`shellgate ${SHELLGATE_VERSION} (client)\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(CLIENT_USAGE);
    return command === undefined ? FAILURE_STATUS : 0;
  }
  if (command === 'serve') {
    say(
      'serve needs the full gateway: this is the standalone client (see the README, "Running the gateway")',
    );
    return FAILURE_STATUS;
  }
  say(`unknown command ${JSON.stringify(command)}\n${CLIENT_USAGE}`);
  return FAILURE_STATUS;
}

main(process.argv.slice(2)).then(exitWhenFlushed, (error: unknown) => {
  say(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitWhenFlushed(FAILURE_STATUS);
});
