import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, ProcessError } from '../../../server/src/process/index.ts';
import { Cleanup } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const MiB = 1 << 20;
// A pipe delivers at most 64 KiB per read; Node may buffer one more read behind a pause.
const SLACK = 256 * 1024;

/** Waits (bounded) until `count()` has reached `least` and then stayed the same for `quietMs`. */
async function settled(count: () => number, least: number, quietMs: number): Promise<number> {
  for (let attempt = 0; attempt < 200 && count() < least; attempt += 1) await sleep(50);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const before = count();
    await sleep(quietMs);
    if (count() === before) return before;
  }
  throw new Error(`output never stopped growing: ${count()} bytes`);
}

test('the high-water mark stops reading a pipe once that much output is unread', async () => {
  const p = cleanup.process(
    new Process(['head', '-c', String(64 * MiB), '/dev/zero'], { highWaterMark: MiB }),
  );
  // Waits for the reading to stop rather than for a fixed time, which a loaded machine may need.
  let received = 0;
  const counting = p.onOutput((chunk) => (received += chunk.data.length));
  await settled(() => received, MiB, 200);
  counting.dispose();
  assert.equal(p.poll(), null, 'the child is blocked: nothing was dropped');
  const collected = p.read().length;
  assert.ok(collected >= MiB && collected <= MiB + SLACK, `collected ${collected} bytes`);
  await p.terminate({ gracePeriodMs: 0 });
});

test('the high-water mark holds memory flat while the output is read, and every byte arrives', async () => {
  const size = 200 * MiB;
  const p = cleanup.process(new Process(['head', '-c', String(size), '/dev/zero'], { highWaterMark: MiB }));
  globalThis.gc?.();
  const baseline = process.memoryUsage().arrayBuffers;
  let peakUnread = 0;
  let peakMemory = 0;
  let total = 0;
  // A slow reader: the child must wait for it rather than the host buffering ahead.
  while (p.poll() === null || total < size) {
    await sleep(2);
    const data = p.read();
    peakUnread = Math.max(peakUnread, data.length);
    peakMemory = Math.max(peakMemory, process.memoryUsage().arrayBuffers - baseline);
    total += data.length;
    if (data.length === 0 && p.poll() !== null) break;
  }
  await p.wait();
  total += p.read().length;
  assert.equal(total, size);
  assert.ok(peakUnread <= MiB + SLACK, `peak unread ${peakUnread}`);
  // Garbage collection is lazy; even so memory stays far below the 200 MiB an unbounded collector holds.
  assert.ok(peakMemory < 64 * MiB, `peak array buffers ${(peakMemory / MiB).toFixed(1)} MiB`);
});

test('the high-water mark applies to each stream on its own', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', `head -c ${4 * MiB} /dev/zero; echo done >&2`], { highWaterMark: MiB }),
  );
  await sleep(300);
  assert.equal(p.readErr().length, 0, 'stdout is held, so the child never got to stderr');
  // Read until everything is delivered, not just until the exit: up to a high-water mark of output
  // may still be unread then, and wait() rightly waits for a held pipe to be read to its end.
  let delivered = false;
  const waited = p.wait().then(() => (delivered = true));
  while (!delivered) {
    p.read();
    await sleep(5);
  }
  await waited;
  assert.equal(p.readErr().toString(), 'done\n');
});

test('an async iterator that falls behind the high-water mark holds back reading too', async () => {
  const p = cleanup.process(
    new Process(['head', '-c', String(32 * MiB), '/dev/zero'], { highWaterMark: MiB, collect: false }),
  );
  const iterator = p.output()[Symbol.asyncIterator]();
  await sleep(300);
  assert.equal(p.poll(), null, 'the child waits for the iterator');
  let total = 0;
  for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
    total += next.value.data.length;
  assert.equal(total, 32 * MiB);
});

test('an invalid highWaterMark is rejected with a message naming the option', () => {
  assert.throws(
    () => new Process(['true'], { highWaterMark: 0 }),
    (error: unknown) =>
      error instanceof ProcessError && error.code === 'EINVAL' && /highWaterMark/.test(error.message),
  );
});
