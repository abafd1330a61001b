import { EventEmitter } from 'node:events';
import { ProcessError } from './errors.js';
import type { Child } from './spawn.js';

/** What stdin is written through: a Writable (child_process), or the addon's PipeWriter. */
export interface StdinSink {
  write(data: string | Buffer): unknown;
  end(): unknown;
  readonly destroyed: boolean;
  /** Bytes written that the OS has not accepted yet. */
  readonly writableLength: number;
}

/**
 * The child's stdin as a queue: `write` never blocks the caller (the stream buffers whatever the
 * child has not drained yet) and a child that exits with input still queued costs nothing but
 * the queued data — its EPIPE is expected and swallowed, never thrown into the host.
 */
export class Input {
  readonly #child: Child | null;
  /** The stream, once asked for (a FastChild makes it then); null: none, or the child is gone. */
  #stream: StdinSink | null | undefined;
  readonly #isPipe: boolean;
  readonly #command: string;
  #closed = false;

  constructor(child: Child | null, command: string) {
    this.#child = child;
    this.#command = command;
    this.#isPipe = child?.stdinIsPipe ?? (child?.stdin ?? null) !== null;
    // A FastChild's stream is made at the first write; any other child's exists already.
    if (child?.stdinIsPipe === undefined) this.#open();
  }

  get isPipe(): boolean {
    return this.#isPipe;
  }

  /** Bytes written but not yet accepted by the OS (the pipe is full). 0 once the child is gone. */
  get pendingBytes(): number {
    const stream = this.#stream;
    return stream === undefined || stream === null || stream.destroyed ? 0 : stream.writableLength;
  }

  write(data: string | Uint8Array): void {
    this.#requirePipe('write to');
    if (this.#closed) {
      throw new ProcessError('ESTDIN_CLOSED', `cannot write to ${this.#name}: closeInput() was called`);
    }
    const stream = this.#open();
    // The child has exited: there is no one to read it.
    if (stream === null || stream.destroyed) return;
    // Copy bytes so that a caller reusing its buffer cannot change data already queued.
    stream.write(typeof data === 'string' ? data : Buffer.from(data));
  }

  /** End-of-file after everything queued. Idempotent. */
  close(): void {
    this.#requirePipe('close');
    if (this.#closed) return;
    this.#closed = true;
    // Never written to: closing the pipe is all there is to do.
    if (this.#stream === undefined && this.#child?.closeUnusedStdin?.() === true) return;
    const stream = this.#open();
    if (stream !== null && !stream.destroyed) stream.end();
  }

  #open(): StdinSink | null {
    if (this.#stream === undefined) {
      const stream = this.#child?.stdin ?? null;
      // EPIPE, ECONNRESET: the child stopped reading. The exit status tells the story. (The addon's
      // PipeWriter is no emitter: it swallows them itself.)
      if (stream instanceof EventEmitter) stream.on('error', () => {});
      this.#stream = stream;
    }
    return this.#stream;
  }

  #requirePipe(action: string): void {
    if (!this.#isPipe) {
      throw new ProcessError('ENOT_PIPE', `cannot ${action} ${this.#name}: stdin is not a pipe`);
    }
  }

  get #name(): string {
    return `the stdin of ${JSON.stringify(this.#command)}`;
  }
}
