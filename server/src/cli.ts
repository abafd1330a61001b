#!/usr/bin/env -S node --max-semi-space-size=2 --single-threaded-gc
// The `shellgate` executable: `shellgate [serve] …` runs the gateway (serve.ts), and
// `shellgate exec|attach|ls|kill|logs|share …` the operator client (client/, docs/client.md). Each half
// is loaded only when asked for, so neither pays for the other at start-up.
import { isClientCommand, splitCommandLine } from '@shellgate/client/command-names';

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const client = splitCommandLine(argv);
  if (command === '--version' || command === 'version') {
    const { SHELLGATE_VERSION } = await import('@shellgate/shared');
    process.stdout.write(`shellgate ${SHELLGATE_VERSION}\n`);
    return;
  }
  if (isClientCommand(client.command)) {
    const { runClient, exitWhenFlushed } = await import('@shellgate/client');
    exitWhenFlushed(await runClient(client.command, client.args));
    return;
  }
  const { serve } = await import('./serve.js');
  await serve(command === 'serve' ? args : argv);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `shellgate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
