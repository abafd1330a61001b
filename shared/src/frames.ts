// Binary frames: one type byte (see FrameType), then the payload bytes.
import { FrameType } from './constants.js';
import { ErrorCode, ProtocolError } from './errors.js';

export interface Frame {
  type: FrameType;
  payload: Uint8Array;
}

const KNOWN = new Set<number>(Object.values(FrameType));

function isFrameType(value: number): value is FrameType {
  return KNOWN.has(value);
}

/** A new buffer holding `type` followed by `payload`. */
export function encodeFrame(type: FrameType, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(payload.byteLength + 1);
  frame[0] = type;
  frame.set(payload, 1);
  return frame;
}

/** Splits a frame; the payload is a view into `data`, not a copy. */
export function decodeFrame(data: Uint8Array): Frame {
  const type = data[0];
  if (type === undefined) {
    throw new ProtocolError(ErrorCode.InvalidFrame, 'empty binary frame: expected a type byte');
  }
  if (!isFrameType(type)) {
    throw new ProtocolError(
      ErrorCode.InvalidFrame,
      `unknown binary frame type 0x${type.toString(16).padStart(2, '0')}`,
    );
  }
  return { type, payload: data.subarray(1) };
}
