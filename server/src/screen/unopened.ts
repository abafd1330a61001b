// A PTY session's screen before it has a terminal: the output so far, kept as bytes.
//
// A headless xterm.js terminal costs ~250 KiB of the gateway's memory before it parses a byte (100
// of them, 80×24 with 1,000 lines of scrollback: 132 KiB of V8's old space each, most of it the
// parser's handler tables and the buffers' line lists; docs/benchmarks.md, "Terminal sessions by
// the hundred"). Many terminal sessions print little — a program waiting, a quiet log — and are
// never attached to without an offset, which is when a screen is read. So the worker makes the
// terminal only when something reads the screen or resizes it, or once the session has printed
// KEPT_BYTES, and then feeds it what was kept first: the same bytes in the same order leave the
// same screen as if it had parsed them as they came.

/** Output kept as bytes before a terminal is made for it. */
export const KEPT_BYTES = 32 * 1024;
/** The first allocation; doubled as output comes (a keystroke's echo is a few bytes). */
const FIRST_BYTES = 1024;

export interface TerminalShape {
  cols: number;
  rows: number;
  scrollback: number;
}

export class UnopenedScreen {
  #shape: TerminalShape;
  #kept = new Uint8Array(0);
  #length = 0;

  constructor(shape: TerminalShape) {
    this.#shape = shape;
  }

  /** The terminal to make: the size given at open, or by a resize before any output. */
  get shape(): TerminalShape {
    return this.#shape;
  }

  /**
   * Takes a resize before any output (a client sets its size as it attaches); false once output
   * was kept, as the resize then has to apply at its place in the stream, in a terminal.
   */
  resize(cols: number, rows: number): boolean {
    if (this.#length > 0) return false;
    this.#shape = { ...this.#shape, cols, rows };
    return true;
  }

  /** Copies `data` in; false (and nothing kept) when it would take the output past KEPT_BYTES. */
  keep(data: Uint8Array): boolean {
    const length = this.#length + data.byteLength;
    if (length > KEPT_BYTES) return false;
    if (length > this.#kept.byteLength) {
      let size = Math.max(this.#kept.byteLength, FIRST_BYTES);
      while (size < length) size *= 2;
      const grown = new Uint8Array(Math.min(size, KEPT_BYTES));
      grown.set(this.#kept.subarray(0, this.#length));
      this.#kept = grown;
    }
    this.#kept.set(data, this.#length);
    this.#length = length;
    return true;
  }

  /** Everything kept, in order. */
  get output(): Uint8Array {
    return this.#kept.subarray(0, this.#length);
  }
}
