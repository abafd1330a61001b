// onProcessExit: the exit status as soon as the child has exited, while its output may still be
// held back; onExit keeps its meaning, after the last output.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, PtyProcess, type ExitStatus } from '../../../server/src/process/index.ts';
import { Cleanup, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Longer than the drain's quiet period (250 ms), which time paused must not count toward. */
const PAUSED_MS = 700;

interface Started {
  pauseOutput(): void;
  resumeOutput(): void;
  poll(): ExitStatus | null;
  wait(): Promise<ExitStatus>;
  onOutput(listener: (chunk: { data: Buffer }) => void): unknown;
  onExit(listener: (status: ExitStatus) => void): unknown;
  onProcessExit(listener: (status: ExitStatus) => void): unknown;
}

async function exitWhilePaused(child: Started): Promise<void> {
  // Before the event loop turns: nothing has been read yet.
  child.pauseOutput();
  const events: string[] = [];
  let output = '';
  let early: ExitStatus | null = null;
  child.onOutput((chunk) => {
    events.push('output');
    output += chunk.data.toString();
  });
  child.onProcessExit((status) => {
    events.push('processExit');
    early = status;
  });
  child.onExit(() => events.push('exit'));

  await waitUntil('onProcessExit fired', () => early !== null, 10_000);
  assert.deepEqual(early, { code: 3, signal: null });
  assert.equal(child.poll(), early, 'poll gives the same status as soon as it is known');
  await sleep(PAUSED_MS);
  assert.deepEqual(events, ['processExit'], 'no output and no onExit while paused');

  child.resumeOutput();
  const status = await child.wait();
  assert.equal(status, early);
  assert.match(output, /hello/);
  assert.equal(events[0], 'processExit');
  assert.equal(events.at(-1), 'exit', 'onExit comes after the last output');
  assert.ok(events.includes('output'));
}

test('onProcessExit fires for a pipe child whose output is paused; onExit only after it drains', async () => {
  await exitWhilePaused(cleanup.process(new Process(['sh', '-c', 'printf hello; exit 3'])));
});

test('onProcessExit fires for a terminal program whose output is paused; onExit only after it drains', async () => {
  await exitWhilePaused(cleanup.process(new PtyProcess(['sh', '-c', 'printf hello; exit 3'])));
});

test('onProcessExit subscribed after the exit still fires, on a microtask, and can be disposed first', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'exit 5']));
  const status = await p.wait();
  const seen: ExitStatus[] = [];
  p.onProcessExit((late) => seen.push(late));
  p.onProcessExit(() => assert.fail('a disposed listener must not fire')).dispose();
  assert.deepEqual(seen, [], 'not synchronously');
  await Promise.resolve();
  assert.deepEqual(seen, [status]);
});

test('onProcessExit never fires when the program could not be started', async () => {
  const p = new Process(['/nonexistent/program']);
  let fired = false;
  p.onProcessExit(() => (fired = true));
  await assert.rejects(p.wait(), { code: 'ENOENT' });
  await sleep(50);
  assert.equal(fired, false);
});
