// The demo of the original asyncproc module: talk to `bc` without ever blocking on it.
// Run with `npm run example:bc`. Output arrives through the event loop, so between attempts to
// read a line we yield to it (here with a short sleep) instead of spinning.
import { setTimeout as sleep } from 'node:timers/promises';
import { NonblockingProcess, ProcessError } from '../server/src/process/index.ts';

const POLL_MS = 10;
const ANSWER_TIMEOUT_MS = 5000;

const bc = new NonblockingProcess(['bc', '-l']);

async function ask(expression: string): Promise<string> {
  bc.write(`${expression}\n`);
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  for (;;) {
    const line = bc.readline();
    if (line !== null) return line;
    if (!bc.isAlive()) throw new Error('bc exited before answering');
    if (Date.now() > deadline) throw new Error(`bc did not answer ${expression} in time`);
    await sleep(POLL_MS);
  }
}

try {
  for (const expression of ['1 + 2', '2 ^ 64', 'scale = 20; 4 * a(1)', 'sqrt(2)']) {
    console.log(`${expression} = ${await ask(expression)}`);
  }
  // Nothing was asked, so there is nothing to read — and readline() says so at once.
  console.log(`readline() with nothing pending: ${String(bc.readline())}`);
  const { code, stage } = await bc.terminate({ gracePeriodMs: 500 });
  console.log(`bc ended with code ${code} at stage ${stage}`);
} catch (error) {
  // If bc never started, terminate() rejects with the reason (ENOENT: not installed).
  const failure = await bc.terminate({ gracePeriodMs: 0 }).then(
    () => error,
    (reason: unknown) => reason,
  );
  console.error(failure instanceof ProcessError ? failure.message : failure);
  process.exitCode = 1;
}
