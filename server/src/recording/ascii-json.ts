// ASCII bytes as a JSON string literal, escaped exactly as JSON.stringify escapes the same text.
import { Buffer } from 'node:buffer';

/**
 * The JSON literal (quotes included) of `chunk`, which must be ASCII: a one-byte string, so that
 * it is written back with 'latin1', a plain copy. 'latin1' makes the one-byte string the UTF-8
 * decoder would have made from ASCII, without its validation; JSON.stringify escapes it.
 */
export function asciiJson(chunk: Uint8Array): string {
  return JSON.stringify(asciiText(chunk));
}

/** The text of ASCII bytes. */
export function asciiText(chunk: Uint8Array): string {
  const buffer = Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return buffer.toString('latin1');
}
