// One stream's bytes (stdout, stderr or input) as text. Each stream is decoded on its own, so that a
// character split across chunks stays whole. Most output is ASCII, and for ASCII the UTF-8 decoder
// is pure cost (it was over a quarter of the recorder's time): an ASCII chunk is its own text, byte for
// character, unless the bytes of an unfinished character wait in the decoder before it.
import { isAscii } from 'node:buffer';

export class StreamText {
  #decoder: TextDecoder | undefined;
  /** The decoder may hold the first bytes of a character: the next chunk must go through it. */
  #pending = false;
  /** Text went past the decoder: a byte-order mark from now on is a character, not a BOM. */
  #started = false;

  /** Whether `chunk` is its own text (ASCII, nothing waiting before it); if so, it counts as read: no decode() for it. */
  ascii(chunk: Uint8Array): boolean {
    if (this.#pending || !isAscii(chunk)) return false;
    if (chunk.byteLength > 0) this.#started = true;
    return true;
  }

  /** The text of `chunk`, a character cut at its end held back until the next chunk completes it. */
  decode(chunk: Uint8Array): string {
    // A decoder created once ASCII went past it would take a later BOM for the stream's first bytes.
    this.#decoder ??= new TextDecoder('utf-8', { fatal: false, ignoreBOM: this.#started });
    this.#started = true;
    // An ASCII byte always ends what came before it (a character or U+FFFD): nothing waits after one.
    const last = chunk.at(-1);
    if (last !== undefined) this.#pending = last >= 0x80;
    return this.#decoder.decode(chunk, { stream: true });
  }

  /** The stream ended: the bytes of a character never finished, as U+FFFD (or ''). */
  end(): string {
    if (!this.#pending || this.#decoder === undefined) return '';
    this.#pending = false;
    return this.#decoder.decode();
  }
}
