// Feeds a headless terminal a PTY's output without parsing what can never be seen again.
//
// Parsing is what the screen costs (xterm.js parses plain text at ~20 ms per MiB here, more than
// the whole relay), and a flood of output mostly scrolls off the top of the scrollback before anyone
// attaches. So a stretch of plain text — printable ASCII, CR and LF, and nothing else — is not parsed
// as it comes: it is kept, and only its tail, enough of it to refill the whole scrollback and screen,
// is parsed when something needs the terminal (a snapshot, a resize, output that is not plain).
//
// Why skipping the head of such a stretch leaves exactly the state parsing all of it would: plain
// text moves the cursor and writes cells, and changes nothing else (no mode, attribute, charset,
// scroll region or tab stop). With the whole screen as scroll region, each line feed and each
// automatic wrap moves the cursor one row down or scrolls one new line in; once `scrollback + 2 *
// rows` of them have happened after a point, the cursor has reached the bottom row either way and
// every line in the buffer was scrolled in after that point and written only by what followed it.
// The one thing that carries over is the cursor's column, which the feed computes as it goes and
// sets at the cut. A stretch only starts where the terminal is in a state this holds for: the
// parser on the ground state with no partial UTF-8 character, the scroll region the whole screen.
// Tests compare snapshots taken this way with those of a terminal that parsed every byte.
import type xtermHeadless from '@xterm/headless';

type Terminal = InstanceType<typeof xtermHeadless.Terminal>;

/** The xterm.js internals the feed reads (and the cursor column it sets); checked at start. */
interface Internals {
  cols: number;
  rows: number;
  buffers: { active: { x: number; scrollTop: number; scrollBottom: number } };
  optionsService: { rawOptions: { scrollback: number; convertEol: boolean; screenReaderMode: boolean } };
  coreService: { decPrivateModes: { wraparound: boolean } };
  _writeBuffer: { writeSync(data: Uint8Array): void };
  _inputHandler: {
    _parser: { currentState: number };
    _parseStack: { paused: boolean };
    _utf8Decoder: { interim: Uint8Array };
    _curAttrData: { extended: { urlId: number } };
  };
}

/** Plain text is kept in blocks of at most this much; one is the granularity of a cut. */
const BLOCK_BYTES = 8 * 1024;
/** A stretch keeps at most this much unparsed (lines too long for the rule to drop anything). */
const MAX_KEPT_BYTES = 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;

interface Block {
  data: Uint8Array;
  /** The cursor column before the block's first byte (cols: a wrap is pending). */
  xBefore: number;
  /** Line feeds and wraps in the block. */
  rowsDown: number;
}

/** A stretch of plain text being kept instead of parsed. */
interface Stretch {
  blocks: Block[];
  /** Bytes in `blocks`. */
  bytes: number;
  /** Line feeds and wraps in `blocks`. */
  rowsDown: number;
  /** The cursor column after the last byte kept. */
  x: number;
  /** Whether blocks were dropped: the cursor column must then be set before parsing. */
  cut: boolean;
  cols: number;
  wraparound: boolean;
  lineFeedReturns: boolean;
  /** Line feeds and wraps after which nothing before them can be seen. */
  enough: number;
}

/** Whether byte `c` is plain text: printable ASCII, CR or LF. */
function plain(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) || c === LF || c === CR;
}

export class ScreenFeed {
  readonly #terminal: Terminal;
  /** Null when this xterm.js lacks the internals the feed relies on: it then parses everything. */
  readonly #core: Internals | null;
  #stretch: Stretch | null = null;
  #skipped = 0;

  constructor(terminal: Terminal) {
    this.#terminal = terminal;
    this.#core = internals(terminal);
  }

  /** Bytes never parsed because they could not be seen any more (tests). */
  get skippedBytes(): number {
    return this.#skipped;
  }

  /** Takes output in stream order: parses it now or keeps it for {@link settle}. */
  write(data: Uint8Array): void {
    const core = this.#core;
    if (core === null) {
      this.#terminal.write(data);
      return;
    }
    let start = 0;
    if (this.#stretch !== null) {
      const end = this.#keep(data, 0, data.length);
      if (end === data.length) return;
      this.settle();
      start = end;
    }
    // Only the plain tail of a chunk can start a stretch: one in the middle would be cut short by
    // the chunk's own next byte before it could skip anything.
    let tail = data.length;
    while (tail > start && plain(data[tail - 1] ?? 0)) tail -= 1;
    if (tail > start) core._writeBuffer.writeSync(data.subarray(start, tail));
    if (tail === data.length) return;
    if (!this.#begin(core)) {
      core._writeBuffer.writeSync(data.subarray(tail));
      return;
    }
    const kept = this.#keep(data, tail, data.length);
    if (kept < data.length) core._writeBuffer.writeSync(data.subarray(kept));
  }

  /**
   * Runs `task` with the terminal reflecting every byte written so far and none after: at once, or
   * (without the internals, when writes are parsed asynchronously) once the writes before it are.
   */
  at(task: () => void): void {
    if (this.#core === null) {
      this.#terminal.write('', task);
      return;
    }
    this.settle();
    task();
  }

  /** Runs `task` once every byte written so far is parsed or kept (kept bytes are bounded). */
  taken(task: () => void): void {
    if (this.#core === null) this.#terminal.write('', task);
    else task();
  }

  /**
   * Whether the feed may still read `buffer`, the memory of an earlier write: a kept stretch holds
   * views of the writes it came from. Without the internals xterm.js queues writes and parses them
   * later, so then any buffer may still be read.
   */
  retains(buffer: ArrayBufferLike): boolean {
    if (this.#core === null) return true;
    return this.#stretch?.blocks.some((block) => block.data.buffer === buffer) ?? false;
  }

  /** Parses whatever is kept: the terminal then reflects every byte written. */
  settle(): void {
    const stretch = this.#stretch;
    const core = this.#core;
    if (stretch === null || core === null) return;
    this.#stretch = null;
    const first = stretch.blocks[0];
    if (first === undefined) return;
    if (stretch.cut) core.buffers.active.x = first.xBefore;
    core._writeBuffer.writeSync(concat(stretch.blocks, stretch.bytes));
  }

  /** Starts a stretch if the terminal, having parsed everything so far, is in a state that allows it. */
  #begin(core: Internals): boolean {
    const input = core._inputHandler;
    const buffer = core.buffers.active;
    const options = core.optionsService.rawOptions;
    if (
      input._parser.currentState !== 0 ||
      input._parseStack.paused ||
      input._utf8Decoder.interim[0] !== 0 ||
      input._curAttrData.extended.urlId !== 0 ||
      options.screenReaderMode ||
      buffer.scrollTop !== 0 ||
      buffer.scrollBottom !== core.rows - 1 ||
      buffer.x < 0 ||
      buffer.x > core.cols
    )
      return false;
    this.#stretch = {
      blocks: [],
      bytes: 0,
      rowsDown: 0,
      x: buffer.x,
      cut: false,
      cols: core.cols,
      wraparound: core.coreService.decPrivateModes.wraparound,
      lineFeedReturns: options.convertEol,
      enough: options.scrollback + 2 * core.rows + 1,
    };
    return true;
  }

  /**
   * Keeps the plain bytes of `data[from, to)` up to the first other byte, whose index it returns
   * (`to` if none), dropping blocks that enough rows came after.
   */
  #keep(data: Uint8Array, from: number, to: number): number {
    for (let start = from; start < to;) {
      const stretch = this.#stretch;
      if (stretch === null) return start;
      const blockEnd = Math.min(to, start + BLOCK_BYTES);
      const block = advance(stretch, data, start, blockEnd);
      const end = start + block.data.byteLength;
      if (end > start) {
        stretch.blocks.push(block);
        stretch.bytes += block.data.byteLength;
        stretch.rowsDown += block.rowsDown;
      }
      let first = stretch.blocks[0];
      while (first !== undefined && stretch.rowsDown - first.rowsDown >= stretch.enough) {
        stretch.blocks.shift();
        stretch.bytes -= first.data.byteLength;
        stretch.rowsDown -= first.rowsDown;
        stretch.cut = true;
        this.#skipped += first.data.byteLength;
        first = stretch.blocks[0];
      }
      if (end < blockEnd) return end; // a byte that is not plain
      start = end;
      if (stretch.bytes > MAX_KEPT_BYTES && this.#core !== null) {
        // Too few rows to drop anything: parse what is kept and go on from there.
        this.settle();
        if (!this.#begin(this.#core)) return start;
      }
    }
    return to;
  }
}

/**
 * The cursor's way from `stretch.x` through the plain bytes at the start of `data[start, end)`,
 * stopping at the first byte that is not plain: the block to keep. Runs of printable characters
 * (nearly all of a flood) are counted in one step.
 */
function advance(stretch: Stretch, data: Uint8Array, start: number, end: number): Block {
  const { cols, wraparound, lineFeedReturns } = stretch;
  const xBefore = stretch.x;
  let x = xBefore;
  let rowsDown = 0;
  let i = start;
  while (i < end) {
    const run = i;
    // Printable ASCII, 0x20 to 0x7e; a run longer than a line of text is scanned by words.
    const short = Math.min(end, i + 64);
    while (i < short && printable(data[i])) i += 1;
    if (i === short && i < end) i = printableEnd(data, i, end);
    const printed = i - run;
    if (printed > 0) {
      if (x + printed <= cols) {
        x += printed;
      } else if (wraparound) {
        // The rest of this row takes cols - x characters; each wrap starts a row of up to cols.
        const rest = printed - (cols - x);
        const wraps = Math.ceil(rest / cols);
        rowsDown += wraps;
        x = rest - (wraps - 1) * cols;
      } else {
        x = cols; // each character past the last column overwrites it
      }
    }
    if (i >= end) break;
    const c = data[i];
    if (c === LF) {
      rowsDown += 1;
      if (lineFeedReturns) x = 0;
      else if (x >= cols) x = cols - 1;
    } else if (c === CR) {
      x = 0;
    } else {
      break; // not plain
    }
    i += 1;
  }
  stretch.x = x;
  return { data: data.subarray(start, i), xBefore, rowsDown };
}

/** Whether byte `c` is printable ASCII, 0x20 to 0x7e. */
function printable(c: number | undefined): boolean {
  return ((c ?? 0) - 0x20) >>> 0 < 0x5f;
}

/** The end of the run of printable ASCII from `from`, four aligned bytes at a time. */
function printableEnd(data: Uint8Array, from: number, end: number): number {
  let i = from;
  const base = data.byteOffset;
  while (i < end && ((base + i) & 3) !== 0) {
    if (!printable(data[i])) return i;
    i += 1;
  }
  const count = (end - i) >> 2;
  if (count > 0) {
    const words = new Uint32Array(data.buffer, base + i, count);
    let k = 0;
    for (; k < count; k += 1) {
      const w = words[k] ?? 0;
      // A byte below 0x20, or above 0x7e (bit 7 set, or set by adding 1): the classic SWAR tests.
      if ((((w - 0x20202020) & ~w) | (w + 0x01010101) | w) & 0x80808080) break;
    }
    i += k << 2;
  }
  while (i < end && printable(data[i])) i += 1;
  return i;
}

function concat(blocks: Block[], bytes: number): Uint8Array {
  if (blocks.length === 1 && blocks[0] !== undefined) return blocks[0].data;
  const joined = new Uint8Array(bytes);
  let at = 0;
  for (const block of blocks) {
    joined.set(block.data, at);
    at += block.data.byteLength;
  }
  return joined;
}

/** The internals, if this xterm.js has them all (its bundle keeps these names). */
function internals(terminal: Terminal): Internals | null {
  const core = (terminal as unknown as { _core?: Partial<Internals> })._core;
  const input = core?._inputHandler;
  const ok =
    core !== undefined &&
    typeof core.cols === 'number' &&
    typeof core.buffers?.active.x === 'number' &&
    typeof core.buffers.active.scrollBottom === 'number' &&
    typeof core.optionsService?.rawOptions.scrollback === 'number' &&
    typeof core.coreService?.decPrivateModes.wraparound === 'boolean' &&
    typeof core._writeBuffer?.writeSync === 'function' &&
    typeof input?._parser.currentState === 'number' &&
    typeof input._parseStack.paused === 'boolean' &&
    input._utf8Decoder.interim instanceof Uint8Array &&
    typeof input._curAttrData.extended.urlId === 'number';
  return ok ? (core as Internals) : null;
}
