// ASCII bytes as a JSON string literal, escaped exactly as JSON.stringify escapes the same text,
// written straight into a write batch's buffer: no string is made on the way (escape-wasm.ts).
import { Buffer } from 'node:buffer';
import type { WriteBatch } from './batch.js';
import { INPUT, OUTPUT, PIECE_BYTES, loadEscaper } from './escape-wasm.js';
import type { AsciiEscaper } from './escape-wasm.js';

const escaper = loadEscaper() ?? null;

/** Whether the SIMD escaper serves (Node has WebAssembly SIMD since 16.4; the fallback is slow). */
export const simdEscaper = escaper !== null;

/** Bytes the literal of `length` ASCII bytes takes at most: `\u00XX` is 6 per byte, and the quotes. */
export const asciiJsonBound = (length: number): number => length * 6 + 2;

const QUOTE = Buffer.from('"');

/**
 * Appends the JSON literal (quotes included) of `chunk`, which must be ASCII, to `batch`. `using`:
 * null for JSON.stringify (where WebAssembly SIMD is missing, and for the tests of that path).
 */
export function appendAsciiJson(
  chunk: Uint8Array,
  batch: WriteBatch,
  using: AsciiEscaper | null = escaper,
): void {
  if (using === null) {
    batch.appendBytes(Buffer.from(JSON.stringify(asciiText(chunk)), 'latin1'));
    return;
  }
  const { escape, memory } = using;
  batch.appendBytes(QUOTE);
  for (let start = 0; start < chunk.byteLength; start += PIECE_BYTES) {
    const piece = chunk.subarray(start, start + PIECE_BYTES);
    memory.set(piece, INPUT);
    const length = escape(INPUT, piece.byteLength, OUTPUT);
    batch.appendBytes(memory.subarray(OUTPUT, OUTPUT + length));
  }
  batch.appendBytes(QUOTE);
}

/** The text of ASCII bytes: the one-byte string the UTF-8 decoder would make, without its checks. */
export function asciiText(chunk: Uint8Array): string {
  const buffer = Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return buffer.toString('latin1');
}
