// Everything that reaches the terminal goes through here, in order: process output (stderr in its
// own colour), notices from the gateway, and the pipe line editor's echo, which is taken off the
// screen around each output write so the two never garble each other.
import type { Terminal } from '@xterm/xterm';
import type { LineEditor } from './line-editor.js';

// ANSI red, re-themed by the terminal palette; 39 restores only the foreground, not the
// process's other attributes.
const STDERR_ON = '\x1b[31m';
const STDERR_OFF = '\x1b[39m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export class Screen {
  #editor: LineEditor | null = null;
  /** Whether the last thing written ended a line (xterm's cursor lags behind its write queue). */
  #atLineStart = true;

  constructor(private readonly term: Terminal) {}

  attachEditor(editor: LineEditor | null): void {
    this.#editor = editor;
  }

  /** Output bytes; `rendered` runs once xterm has processed them (that is when we ack). */
  output(kind: 'stdout' | 'stderr', bytes: Uint8Array, rendered: () => void): void {
    this.#editor?.hide();
    if (kind === 'stderr') this.term.write(STDERR_ON);
    this.term.write(bytes, rendered);
    if (bytes.byteLength > 0) this.#atLineStart = bytes[bytes.byteLength - 1] === 0x0a;
    if (kind === 'stderr') this.term.write(STDERR_OFF);
    this.#editor?.show();
  }

  /** A PTY snapshot stands for everything before it: start from a clean terminal. */
  snapshot(bytes: Uint8Array): void {
    this.term.reset();
    this.#editor?.reset();
    this.term.write(bytes);
    this.#atLineStart = false;
  }

  /** A line from the gateway (not the process), visibly set apart, on a line of its own. */
  notice(text: string, tone: 'info' | 'warning' = 'info'): void {
    this.#editor?.hide();
    const colour = tone === 'warning' ? '\x1b[33m' : DIM;
    const newline = this.#atLineStart ? '' : '\r\n';
    this.term.write(`${RESET}${newline}${colour}── ${text} ──${RESET}\r\n`);
    this.#atLineStart = true;
    this.#editor?.show();
  }

  /** Echo from the line editor. */
  echo(text: string): void {
    this.term.write(text);
    if (text.endsWith('\n')) this.#atLineStart = true;
  }
}
