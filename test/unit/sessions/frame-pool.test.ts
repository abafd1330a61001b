// Frames are reused only once the last reader let go (server/src/sessions/frame-pool.ts), and the
// replay buffer gives its frames back as it evicts them, keeping the right bytes in what it holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameType } from '@shellgate/shared';
import { FRAME_CAPACITIES, FramePool, POOLED_FROM_BYTES } from '../../../server/src/sessions/frame-pool.ts';
import { ReplayBuffer } from '../../../server/src/sessions/replay.ts';

const KiB = 1024;
const LARGEST = FRAME_CAPACITIES[FRAME_CAPACITIES.length - 1] ?? 0;

/** A pooled frame of `bytes`, which the pool must give for that size. */
function take(pool: FramePool, bytes = LARGEST): Buffer {
  const frame = pool.take(bytes);
  assert.ok(frame !== undefined, `a frame of ${bytes} bytes is pooled`);
  return frame;
}

test('a frame goes back for reuse when its last hold is released, not before', () => {
  const pool = new FramePool();
  const frame = take(pool);
  assert.equal(frame.length, LARGEST);
  const view = frame.subarray(0, 10);
  assert.equal(pool.hold(view), true); // a socket sending part of it
  pool.release(frame); // the taker is done
  assert.equal(pool.spare, 0);
  assert.notEqual(take(pool).buffer, frame.buffer, 'still held: another frame is made');
  pool.release(view);
  assert.equal(pool.spare, 1);
  assert.equal(take(pool).buffer, frame.buffer, 'released: the same memory comes back');
  pool.release(frame); // a release too many changes nothing
  pool.release(frame);
  assert.equal(pool.spare, 1);
});

test('frames not from the pool are neither held nor kept', () => {
  const pool = new FramePool();
  const other = Buffer.allocUnsafeSlow(LARGEST);
  assert.equal(pool.hold(other), false);
  pool.release(other);
  assert.equal(pool.spare, 0);
  assert.equal(pool.inUse, 0);
});

test('a frame has the smallest capacity that fits it, so it is never much more than its contents', () => {
  const pool = new FramePool();
  assert.equal(pool.take(POOLED_FROM_BYTES), undefined, 'too small to pool');
  assert.equal(pool.take(LARGEST + 1), undefined, 'larger than any pooled frame');
  for (const bytes of [
    POOLED_FROM_BYTES + 1,
    64 * KiB + 1,
    64 * KiB + 2,
    100 * KiB,
    128 * KiB + 2,
    LARGEST,
  ]) {
    const frame = take(pool, bytes);
    assert.equal(frame.length, bytes);
    const capacity = frame.buffer.byteLength;
    assert.equal(
      capacity,
      FRAME_CAPACITIES.find((size) => bytes <= size),
    );
    assert.ok(capacity <= 2 * bytes, `${bytes} bytes in a frame of ${capacity}`);
  }
});

test('the pool keeps at most 1 MiB of spare frames of each capacity', () => {
  const pool = new FramePool();
  for (const [capacity, kept] of [
    [64 * KiB + 1, 16],
    [128 * KiB + 1, 8],
    [256 * KiB + 1, 4],
  ] as const) {
    const before = pool.spare;
    const frames = Array.from({ length: 40 }, () => take(pool, capacity));
    for (const frame of frames) pool.release(frame);
    assert.equal(pool.spare - before, kept, `frames of ${capacity}`);
  }
  assert.equal(pool.inUse, 0);
});

test('the replay buffer gives evicted frames back, and what it holds keeps its bytes', () => {
  const pool = new FramePool();
  const replay = new ReplayBuffer(256 * KiB, pool);
  const chunks: Buffer[] = [];
  const live: Buffer[] = [];
  for (let i = 0; i < 64; i += 1) {
    // 32 KiB to 64 KiB, then one larger than a pooled frame, which gets its own.
    const size = i === 40 ? 3 * LARGEST : POOLED_FROM_BYTES + (i % 33) * KiB;
    const chunk = Buffer.alloc(size, i + 1);
    chunks.push(chunk);
    live.push(Buffer.from(replay.append(FrameType.Stdout, chunk)));
  }
  // About four frames of 64 KiB fit in 256 KiB: the rest were evicted and their frames reused.
  assert.ok(pool.inUse <= 5, `${pool.inUse} frames held`);
  assert.ok(pool.spare >= 1);
  const all = Buffer.concat(chunks);
  const held = Buffer.concat(replay.slice(replay.start).map((slice) => slice.frame.subarray(1)));
  assert.ok(held.length >= 3 * POOLED_FROM_BYTES);
  assert.deepEqual(held, all.subarray(replay.start));
  // Each live frame was the type byte and its chunk when it was sent.
  live.forEach((frame, i) => {
    assert.equal(frame[0], FrameType.Stdout);
    assert.deepEqual(frame.subarray(1), chunks[i]);
  });
  replay.clear();
  assert.equal(pool.inUse, 0);
});

test('small chunks are not put in pooled frames', () => {
  const pool = new FramePool();
  const replay = new ReplayBuffer(256 * KiB, pool);
  replay.append(FrameType.Stdout, Buffer.alloc(POOLED_FROM_BYTES - 1, 1));
  replay.append(FrameType.Stdout, Buffer.alloc(10, 2));
  assert.equal(pool.inUse, 0);
});
