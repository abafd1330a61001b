// A line editor for pipe sessions. A pipe has no terminal driver, so nothing echoes or edits what
// the operator types; this does, like a shell's readline: local echo, cursor keys, history, and the
// control keys a terminal would turn into signals or EOF. Only complete lines go to the process.
//
// The line is drawn where the output stopped (its anchor), and may wrap over several rows and
// scroll the terminal. Like readline's and linenoise's multi-line mode, every redraw moves the
// cursor back to the anchor by rows and columns relative to where it is, erases to the end of the
// screen, writes the line and moves to the edited position; a saved absolute position would point
// at the wrong row once the terminal has scrolled. The anchor's column is read from xterm.js once
// it has processed everything before it (its writes are queued), and it is forgotten whenever
// anything else is written: output, a notice, a resize.
//
//   output ─▶ hide(): erase, anchor unknown ─▶ output written ─▶ show(): settle ─▶ anchor, draw
//   key ─▶ anchor known? erase + draw : settle first
//
// The one case this cannot repair is a line taller than the screen: its first rows have scrolled
// away and no cursor movement reaches them.
import { layOut, moveCursor } from './line-layout.js';
import type { Cell } from './line-layout.js';

/** Where the terminal's cursor was once it had processed everything written before. */
export interface Settled {
  /** The cursor's column; equal to `cols` when a character was just written in the last one. */
  col: number;
  cols: number;
}

export interface LineEditorActions {
  /** Write echo/redraw escape sequences to the terminal, after everything written before. */
  echo(text: string): void;
  /**
   * Call `settled` once the terminal has processed everything written so far, with the cursor
   * then — or with `null` if something else was written in the meantime.
   */
  whenSettled(settled: (at: Settled | null) => void): void;
  /** A complete line (with its newline), or a partial one on Ctrl-D. */
  submit(text: string): void;
  interrupt(): void;
  quit(): void;
  endOfInput(): void;
}

const ERASE_BELOW = '\x1b[J';
const HISTORY_LIMIT = 500;

type Key =
  | { kind: 'text'; text: string }
  | { kind: 'enter' }
  | { kind: 'backspace' | 'delete' | 'left' | 'right' | 'up' | 'down' | 'home' | 'end' }
  | { kind: 'kill-line' | 'kill-to-end' | 'kill-word' }
  | { kind: 'interrupt' | 'quit' | 'eof' }
  | { kind: 'ignore' };

const SEQUENCES: Record<string, Key> = {
  '\x1b[A': { kind: 'up' },
  '\x1bOA': { kind: 'up' },
  '\x1b[B': { kind: 'down' },
  '\x1bOB': { kind: 'down' },
  '\x1b[C': { kind: 'right' },
  '\x1bOC': { kind: 'right' },
  '\x1b[D': { kind: 'left' },
  '\x1bOD': { kind: 'left' },
  '\x1b[H': { kind: 'home' },
  '\x1bOH': { kind: 'home' },
  '\x1b[1~': { kind: 'home' },
  '\x1b[F': { kind: 'end' },
  '\x1bOF': { kind: 'end' },
  '\x1b[4~': { kind: 'end' },
  '\x1b[3~': { kind: 'delete' },
};

const CONTROLS: Record<string, Key> = {
  '\r': { kind: 'enter' },
  '\n': { kind: 'enter' },
  '\x7f': { kind: 'backspace' },
  '\b': { kind: 'backspace' },
  '\x01': { kind: 'home' },
  '\x05': { kind: 'end' },
  '\x02': { kind: 'left' },
  '\x06': { kind: 'right' },
  '\x10': { kind: 'up' },
  '\x0e': { kind: 'down' },
  '\x15': { kind: 'kill-line' },
  '\x0b': { kind: 'kill-to-end' },
  '\x17': { kind: 'kill-word' },
  '\x03': { kind: 'interrupt' },
  '\x1c': { kind: 'quit' },
  '\x04': { kind: 'eof' },
};

/** End (exclusive) of the escape sequence at `start`: CSI `ESC [ params final`, SS3 `ESC O final`. */
function escapeEnd(data: string, start: number): number {
  const kind = data.charAt(start + 1);
  if (kind === 'O') return Math.min(start + 3, data.length);
  if (kind !== '[') return start + 1;
  let i = start + 2;
  while (i < data.length && data.charCodeAt(i) >= 0x20 && data.charCodeAt(i) <= 0x3f) i += 1;
  return Math.min(i + 1, data.length);
}

/** Splits xterm's onData string into keys; pasted text arrives as one string. */
export function* keys(data: string): Generator<Key> {
  let i = 0;
  while (i < data.length) {
    const ch = data.charAt(i);
    if (ch === '\x1b') {
      const seq = data.slice(i, escapeEnd(data, i));
      yield SEQUENCES[seq] ?? { kind: 'ignore' };
      i += seq.length;
      continue;
    }
    const control = CONTROLS[ch];
    if (control !== undefined) {
      yield control;
      i += 1;
      continue;
    }
    if (ch < ' ') {
      yield { kind: 'ignore' };
      i += 1;
      continue;
    }
    // A run of printable text (typed or pasted) is one insertion.
    let j = i + 1;
    while (j < data.length && data.charAt(j) >= ' ' && data.charAt(j) !== '\x7f') j += 1;
    yield { kind: 'text', text: data.slice(i, j) };
    i = j;
  }
}

interface Anchor {
  col: number;
  cols: number;
}

interface Drawn {
  /** Where the cursor was left, relative to the anchor's row. */
  cursor: Cell;
}

export class LineEditor {
  #chars: string[] = [];
  #cursor = 0;
  /** Where the line starts; null when unknown (something else was written since). */
  #anchor: Anchor | null = null;
  /** The line as it is on screen, or null when it is not. */
  #drawn: Drawn | null = null;
  /** Waiting for the terminal to settle to learn the anchor. */
  #settling = false;
  #closed = false;
  #history: string[] = [];
  #historyIndex = 0;
  #draft: string[] = [];

  constructor(private readonly actions: LineEditorActions) {}

  get line(): string {
    return this.#chars.join('');
  }

  handle(data: string): void {
    for (const key of keys(data)) this.#apply(key);
  }

  /** Lines sent before this page was loaded (or from another page): ↑ recalls them too. */
  remember(text: string): void {
    for (const line of text.split('\n')) this.#remember(line);
  }

  /** Take the line off the screen before something else is written (the cursor is left there). */
  hide(): void {
    this.#erase();
    this.#anchor = null;
  }

  /** Put the line back after output, where the output ended. */
  show(): void {
    if (this.#drawn === null && this.#chars.length > 0) this.#render();
  }

  /** Forget the line without touching the screen (after a screen reset). */
  reset(): void {
    this.#chars = [];
    this.#cursor = 0;
    this.#drawn = null;
    this.#anchor = null;
  }

  /** Take the line off the screen for good: nothing is drawn after this. */
  close(): void {
    this.hide();
    this.reset();
    this.#closed = true;
  }

  #apply(key: Key): void {
    switch (key.kind) {
      case 'text':
        this.#chars.splice(this.#cursor, 0, ...key.text);
        this.#cursor += [...key.text].length;
        break;
      case 'enter': {
        const line = this.line;
        this.#commit(`${line}\r\n`);
        this.#remember(line);
        this.actions.submit(`${line}\n`);
        return;
      }
      case 'backspace':
        if (this.#cursor === 0) return;
        this.#chars.splice(this.#cursor - 1, 1);
        this.#cursor -= 1;
        break;
      case 'delete':
        if (this.#cursor >= this.#chars.length) return;
        this.#chars.splice(this.#cursor, 1);
        break;
      case 'left':
        if (this.#cursor === 0) return;
        this.#cursor -= 1;
        break;
      case 'right':
        if (this.#cursor >= this.#chars.length) return;
        this.#cursor += 1;
        break;
      case 'home':
        this.#cursor = 0;
        break;
      case 'end':
        this.#cursor = this.#chars.length;
        break;
      case 'up':
      case 'down':
        if (!this.#recall(key.kind === 'up' ? -1 : 1)) return;
        break;
      case 'kill-line':
        this.#chars.splice(0, this.#cursor);
        this.#cursor = 0;
        break;
      case 'kill-to-end':
        this.#chars.splice(this.#cursor);
        break;
      case 'kill-word': {
        let start = this.#cursor;
        while (start > 0 && this.#chars[start - 1] === ' ') start -= 1;
        while (start > 0 && this.#chars[start - 1] !== ' ') start -= 1;
        this.#chars.splice(start, this.#cursor - start);
        this.#cursor = start;
        break;
      }
      case 'interrupt':
        this.#abandon('^C');
        this.actions.interrupt();
        return;
      case 'quit':
        this.#abandon('^\\');
        this.actions.quit();
        return;
      case 'eof':
        if (this.#chars.length === 0) {
          this.actions.endOfInput();
        } else {
          // Like a terminal in canonical mode: Ctrl-D sends what has been typed, without a newline.
          const line = this.line;
          this.#commit(line);
          this.actions.submit(line);
        }
        return;
      case 'ignore':
        return;
      default: {
        const check: never = key;
        return check;
      }
    }
    this.#render();
  }

  #abandon(echo: string): void {
    this.#commit(`${this.line}${echo}\r\n`);
  }

  /** The line leaves the editor: `text` is written in its place, for good, and editing starts over. */
  #commit(text: string): void {
    this.hide();
    this.actions.echo(text);
    this.reset();
  }

  /** Shows the line as it is now: redrawn in place, or once the anchor is known. */
  #render(): void {
    if (this.#closed) return;
    if (this.#anchor === null) {
      this.#settle();
      return;
    }
    this.#erase();
    this.#draw(this.#anchor);
  }

  #settle(): void {
    if (this.#settling) return;
    this.#settling = true;
    // May call back at once: xterm.js parses synchronously right after a keystroke.
    this.actions.whenSettled((at) => {
      this.#settling = false;
      if (this.#closed || this.#drawn !== null || this.#chars.length === 0) return;
      if (at === null) {
        // More was written meanwhile (and hid the line); ask again behind it.
        this.#settle();
        return;
      }
      if (at.col >= at.cols) {
        // Output filled its last row: start on the next one, where the line would wrap to anyway,
        // because no cursor movement can come back to this position.
        this.actions.echo('\r\n');
        this.#anchor = { col: 0, cols: at.cols };
      } else {
        this.#anchor = { col: at.col, cols: at.cols };
      }
      this.#draw(this.#anchor);
    });
  }

  /** Erases the line, leaving the cursor at the anchor. */
  #erase(): void {
    if (this.#drawn === null || this.#anchor === null) return;
    this.actions.echo(moveCursor(this.#drawn.cursor, { row: 0, col: this.#anchor.col }) + ERASE_BELOW);
    this.#drawn = null;
  }

  /** Writes the line from the anchor (where the cursor is) and leaves the cursor at its position. */
  #draw(anchor: Anchor): void {
    const layout = layOut(this.#chars, anchor.col, anchor.cols);
    const end = layout.cells[this.#chars.length] ?? { row: 0, col: anchor.col };
    const cursor = layout.cells[this.#cursor] ?? end;
    // At the right edge the cursor would wait there to wrap; put it on the next row for real.
    let text = this.line + (layout.endsAtEdge ? '\r\n' : '');
    if (this.#cursor < this.#chars.length) text += moveCursor(end, cursor);
    this.actions.echo(text);
    this.#drawn = { cursor };
  }

  #remember(line: string): void {
    if (line.trim() !== '' && this.#history.at(-1) !== line) this.#history.push(line);
    if (this.#history.length > HISTORY_LIMIT) this.#history.shift();
    this.#historyIndex = this.#history.length;
    this.#draft = [];
  }

  #recall(step: -1 | 1): boolean {
    const index = this.#historyIndex + step;
    if (index < 0 || index > this.#history.length) return false;
    if (this.#historyIndex === this.#history.length) this.#draft = this.#chars;
    this.#historyIndex = index;
    this.#chars = index === this.#history.length ? this.#draft : [...(this.#history[index] ?? '')];
    this.#cursor = this.#chars.length;
    return true;
  }
}
