// Everything that reaches the terminal goes through here, in order: process output (stderr in its
// own colour), notices from the gateway, and the pipe line editor's echo, which is taken off the
// screen around each output write so the two never garble each other. xterm.js queues writes and
// parses them later, so the editor asks here where the cursor is once the queue has caught up.
import type { Terminal } from '@xterm/xterm';
import type { LineEditor, Settled } from './line-editor.js';

// ANSI red, re-themed by the terminal palette; 39 restores only the foreground, not the
// process's other attributes.
const STDERR_ON = '\x1b[31m';
const STDERR_OFF = '\x1b[39m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
// Typed input: cyan, so it never reads as the program's output.
const INPUT_ON = '\x1b[36m';

export class Screen {
  #editor: LineEditor | null = null;
  /** Whether the last thing written ended a line (xterm's cursor lags behind its write queue). */
  #atLineStart = true;
  /** Counts writes, so a position read from the terminal can tell whether more is queued after it. */
  #writes = 0;

  constructor(private readonly term: Terminal) {}

  attachEditor(editor: LineEditor | null): void {
    this.#editor = editor;
  }

  /** Output bytes; `rendered` runs once xterm has processed them (that is when we ack). */
  output(kind: 'stdout' | 'stderr', bytes: Uint8Array, rendered: () => void): void {
    this.#editor?.hide();
    if (kind === 'stderr') this.#write(STDERR_ON);
    this.#write(bytes, rendered);
    if (bytes.byteLength > 0) this.#atLineStart = bytes[bytes.byteLength - 1] === 0x0a;
    if (kind === 'stderr') this.#write(STDERR_OFF);
    this.#editor?.show();
  }

  /** A PTY snapshot stands for everything before it: start from a clean terminal. */
  snapshot(bytes: Uint8Array): void {
    this.term.reset();
    this.#editor?.reset();
    this.#write(bytes);
    this.#atLineStart = false;
  }

  /**
   * What a control client typed (another page, or this one before a reload): in the input colour,
   * so questions and answers read apart as in a terminal, where the driver echoes them.
   */
  input(text: string): void {
    this.#editor?.hide();
    this.#write(`${INPUT_ON}${text}${RESET}`);
    if (text.length > 0) this.#atLineStart = text.endsWith('\n');
    this.#editor?.show();
  }

  /** A line from the gateway (not the process), visibly set apart, on a line of its own. */
  notice(text: string, tone: 'info' | 'warning' = 'info'): void {
    this.#editor?.hide();
    const colour = tone === 'warning' ? '\x1b[33m' : DIM;
    const newline = this.#atLineStart ? '' : '\r\n';
    this.#write(`${RESET}${newline}${colour}── ${text} ──${RESET}\r\n`);
    this.#atLineStart = true;
    this.#editor?.show();
  }

  /** Echo from the line editor. */
  echo(text: string): void {
    this.#write(text);
    if (text.endsWith('\n')) this.#atLineStart = true;
  }

  /** For the line editor: the cursor once everything written so far is processed, if nothing followed. */
  whenSettled(settled: (at: Settled | null) => void): void {
    const mark = this.#writes;
    this.term.write('', () => {
      const cursor = this.term.buffer.active;
      settled(this.#writes === mark ? { col: cursor.cursorX, cols: this.term.cols } : null);
    });
  }

  /**
   * Resizes the terminal through `resize` once the line editor's line is off the screen and xterm
   * has processed everything before: the line's layout depends on the width, and xterm reflows
   * the rows it has already parsed, not the redraws still queued.
   */
  resize(resize: () => void): void {
    if (this.#editor === null) {
      resize();
      return;
    }
    this.#editor.hide();
    this.#write('', () => {
      resize();
      this.#editor?.show();
    });
  }

  #write(data: string | Uint8Array, callback?: () => void): void {
    this.#writes += 1;
    this.term.write(data, callback);
  }
}
