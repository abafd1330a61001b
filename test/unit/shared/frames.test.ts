import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameType, ErrorCode, ProtocolError, decodeFrame, encodeFrame } from '@shellgate/shared';

test('a frame round-trips its type and exact payload bytes', () => {
  const payload = new Uint8Array([0, 255, 0xe2, 0x82, 0xac, 10]);
  const frame = encodeFrame(FrameType.Stderr, payload);
  assert.equal(frame.byteLength, payload.byteLength + 1);
  assert.equal(frame[0], 0x02);
  const decoded = decodeFrame(frame);
  assert.equal(decoded.type, FrameType.Stderr);
  assert.deepEqual([...decoded.payload], [...payload]);
});

test('an empty payload is a valid frame', () => {
  const decoded = decodeFrame(encodeFrame(FrameType.Stdin, new Uint8Array()));
  assert.equal(decoded.type, FrameType.Stdin);
  assert.equal(decoded.payload.byteLength, 0);
});

test('an empty binary message and an unknown type byte are refused with INVALID_FRAME', () => {
  for (const [data, pattern] of [
    [new Uint8Array(), /empty binary frame/],
    [new Uint8Array([0x7f, 1]), /unknown binary frame type 0x7f/],
  ] as const) {
    assert.throws(
      () => decodeFrame(data),
      (error: unknown) =>
        error instanceof ProtocolError &&
        error.code === ErrorCode.InvalidFrame &&
        pattern.test(error.message),
    );
  }
});
