import type { Writable } from 'node:stream';
import { ProcessError } from './errors.js';

/**
 * The child's stdin as a queue: `write` never blocks the caller (the stream buffers whatever the
 * child has not drained yet) and a child that exits with input still queued costs nothing but
 * the queued data — its EPIPE is expected and swallowed, never thrown into the host.
 */
export class Input {
  readonly #stream: Writable | null;
  readonly #command: string;
  #closed = false;

  constructor(stream: Writable | null, command: string) {
    this.#stream = stream;
    this.#command = command;
    // EPIPE, ECONNRESET: the child stopped reading. The exit status tells the story.
    stream?.on('error', () => {});
  }

  get isPipe(): boolean {
    return this.#stream !== null;
  }

  /** Bytes written but not yet accepted by the OS (the pipe is full). 0 once the child is gone. */
  get pendingBytes(): number {
    const stream = this.#stream;
    return stream === null || stream.destroyed ? 0 : stream.writableLength;
  }

  write(data: string | Uint8Array): void {
    const stream = this.#pipe('write to');
    if (this.#closed) {
      throw new ProcessError('ESTDIN_CLOSED', `cannot write to ${this.#name}: closeInput() was called`);
    }
    if (stream.destroyed) return; // the child has exited: there is no one to read it
    // Copy bytes so that a caller reusing its buffer cannot change data already queued.
    stream.write(typeof data === 'string' ? data : Buffer.from(data));
  }

  /** End-of-file after everything queued. Idempotent. */
  close(): void {
    const stream = this.#pipe('close');
    if (this.#closed) return;
    this.#closed = true;
    if (!stream.destroyed) stream.end();
  }

  #pipe(action: string): Writable {
    if (this.#stream === null) {
      throw new ProcessError('ENOT_PIPE', `cannot ${action} ${this.#name}: stdin is not a pipe`);
    }
    return this.#stream;
  }

  get #name(): string {
    return `the stdin of ${JSON.stringify(this.#command)}`;
  }
}
