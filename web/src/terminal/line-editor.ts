// A line editor for pipe sessions. A pipe has no terminal driver, so nothing echoes or edits what
// the operator types; this does, like a shell's readline: local echo, cursor keys, history, and the
// control keys a terminal would turn into signals or EOF. Only complete lines go to the process.
//
// The line being edited is drawn after the output. Before more output is written it is erased
// (restore cursor, erase below) and redrawn afterwards, all through xterm's ordered write queue.

export interface LineEditorActions {
  /** Write echo/redraw escape sequences to the terminal. */
  echo(text: string): void;
  /** A complete line (with its newline), or a partial one on Ctrl-D. */
  submit(text: string): void;
  interrupt(): void;
  quit(): void;
  endOfInput(): void;
}

const SAVE = '\x1b7';
const RESTORE = '\x1b8';
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

export class LineEditor {
  #chars: string[] = [];
  #cursor = 0;
  /** Whether the line is on screen (and the cursor position before it is saved). */
  #drawn = false;
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

  /** Take the line off the screen before output is written. */
  hide(): void {
    if (!this.#drawn) return;
    this.actions.echo(RESTORE + ERASE_BELOW);
    this.#drawn = false;
  }

  /** Put the line back after output. */
  show(): void {
    if (this.#drawn || this.#chars.length === 0) return;
    this.#draw();
  }

  /** Forget the line without touching the screen (after a screen reset). */
  reset(): void {
    this.#chars = [];
    this.#cursor = 0;
    this.#drawn = false;
  }

  #apply(key: Key): void {
    switch (key.kind) {
      case 'text':
        this.#chars.splice(this.#cursor, 0, ...key.text);
        this.#cursor += [...key.text].length;
        break;
      case 'enter': {
        const line = this.line;
        this.#redraw(this.#chars.length);
        this.actions.echo('\r\n');
        this.#drawn = false;
        this.#remember(line);
        this.#chars = [];
        this.#cursor = 0;
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
          this.hide();
          this.actions.echo(line);
          this.reset();
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
    this.#redraw(this.#cursor);
  }

  #abandon(echo: string): void {
    this.#redraw(this.#chars.length);
    this.actions.echo(`${echo}\r\n`);
    this.reset();
  }

  /** Draws the line from the saved position, leaving the cursor at `cursor`. */
  #redraw(cursor: number): void {
    this.#cursor = Math.min(cursor, this.#chars.length);
    this.hide();
    this.#draw();
  }

  #draw(): void {
    const line = this.line;
    // Writing the text before the cursor again puts the cursor right even across wrapped rows.
    const before = this.#chars.slice(0, this.#cursor).join('');
    const tail = this.#cursor < this.#chars.length ? RESTORE + before : '';
    this.actions.echo(SAVE + line + tail);
    this.#drawn = true;
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
