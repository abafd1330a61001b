// The entry node follows frame boundaries of the owner's byte stream, split anywhere, so that it
// knows when a close frame of its own (4010) may be written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameTracker, closeFrame } from '../../../server/src/fleet/frame-tracker.ts';

/** An unmasked binary frame of `length` bytes (7-bit, 16-bit and 64-bit length forms). */
function frame(length: number): Buffer {
  let header: Buffer;
  if (length < 126) header = Buffer.from([0x82, length]);
  else if (length < 65_536) {
    header = Buffer.alloc(4);
    header.writeUInt8(0x82, 0);
    header.writeUInt8(126, 1);
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(0x82, 0);
    header.writeUInt8(127, 1);
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, Buffer.alloc(length, 7)]);
}

test('boundaries are found whatever the chunking, in all three length forms', () => {
  const stream = Buffer.concat([frame(5), frame(300), frame(70_000), frame(0)]);
  for (const size of [1, 2, 3, 7, 1000, stream.length]) {
    const tracker = new FrameTracker();
    const boundaries: number[] = [];
    for (let at = 0; at < stream.length; at += size) {
      tracker.push(stream.subarray(at, Math.min(stream.length, at + size)));
      if (tracker.atBoundary) boundaries.push(Math.min(stream.length, at + size));
    }
    assert.ok(tracker.atBoundary, `chunks of ${size}: ends at a boundary`);
    assert.ok(
      boundaries.every((end) => [7, 311, 70_321, 70_323].includes(end)),
      `chunks of ${size}`,
    );
    assert.equal(tracker.closeSeen, false);
  }
  const partial = new FrameTracker();
  partial.push(frame(300).subarray(0, 3));
  assert.equal(partial.atBoundary, false, 'inside a header');
  partial.push(frame(300).subarray(3, 10));
  assert.equal(partial.atBoundary, false, 'inside a payload');
});

test('a close frame is noticed, and closeFrame builds one with the code and reason', () => {
  const built = closeFrame(4010, 'node went away');
  assert.equal(built[0], 0x88);
  assert.equal(built[1], built.length - 2);
  assert.equal(built.readUInt16BE(2), 4010);
  assert.equal(built.subarray(4).toString(), 'node went away');
  const tracker = new FrameTracker();
  tracker.push(Buffer.concat([frame(10), built]));
  assert.equal(tracker.closeSeen, true);
  assert.equal(tracker.atBoundary, true);
});
