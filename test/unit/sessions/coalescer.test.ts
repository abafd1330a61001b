// Output gathering: frames keep the bytes in order and never grow past 64 KiB by gathering, the
// bound by which the replay buffer and a viewer's lag may overshoot (docs/configuration.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameType } from '@shellgate/shared';
import { OutputCoalescer } from '../../../server/src/sessions/coalescer.ts';

const KiB = 1024;

test('gathered reads make frames of at most 64 KiB, every byte in order', () => {
  const frames: Buffer[] = [];
  const coalescer = new OutputCoalescer((_type, data) => frames.push(data));
  const reads: Buffer[] = [];
  // Reads too small to be framed at once, then full pipe reads, as a child that speeds up gives.
  for (let i = 0; i < 40; i += 1) reads.push(Buffer.alloc(15 * KiB, i));
  for (let i = 0; i < 4; i += 1) reads.push(Buffer.alloc(64 * KiB, 100 + i));
  for (const read of reads) coalescer.push(FrameType.Stdout, read);
  coalescer.flush();
  assert.ok(frames.length > 1);
  for (const frame of frames) assert.ok(frame.length <= 64 * KiB, `a frame of ${frame.length} bytes`);
  assert.deepEqual(Buffer.concat(frames), Buffer.concat(reads));
});

test('a change of stream frames what was gathered first', () => {
  const frames: Array<[FrameType, string]> = [];
  const coalescer = new OutputCoalescer((type, data) => frames.push([type, data.toString()]));
  coalescer.push(FrameType.Stdout, Buffer.from('out'));
  coalescer.push(FrameType.Stderr, Buffer.from('err'));
  coalescer.flush();
  assert.deepEqual(frames, [
    [FrameType.Stdout, 'out'],
    [FrameType.Stderr, 'err'],
  ]);
});

test('lent reads kept for gathering are copied: the lender may overwrite its buffer at once', () => {
  const framed: Buffer[] = [];
  // What a frame is given is valid only during the call too: the replay buffer copies it.
  const coalescer = new OutputCoalescer((_type, data) => framed.push(Buffer.from(data)));
  coalescer.lent = true;
  const lender = Buffer.alloc(64 * KiB);
  const reads: Buffer[] = [];
  // Small reads are kept until the frame goes out; a full read is framed at once, without a copy.
  for (const size of [100, 3 * KiB, 10, 64 * KiB, 7]) {
    const read = lender.subarray(0, size).fill(reads.length + 1);
    reads.push(Buffer.from(read));
    coalescer.push(FrameType.Stdout, read);
    lender.fill(0xee); // the next read lands in the same buffer
  }
  coalescer.flush();
  assert.deepEqual(Buffer.concat(framed), Buffer.concat(reads));
});
