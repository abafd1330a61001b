// Remote output onto the local stdout and stderr, acknowledged only once written. A slow reader
// (a pipe into `pv -L`, a full disk) therefore stops the acks, the gateway's flow control then
// pauses the remote process, and nothing piles up here beyond one flow-control window.
import type { Writable } from 'node:stream';

export type OutputStream = 'stdout' | 'stderr';

interface Pending {
  endOffset: number;
  written: boolean;
}

export class OutputSink {
  /** Writes not yet flushed, in stream order: the ack may only move past a prefix of them. */
  readonly #pending: Pending[] = [];
  readonly #idle = new Set<() => void>();
  #failed: Error | undefined;

  constructor(
    private readonly streams: Record<OutputStream, Writable>,
    /** Every byte before `offset` has been written out. */
    private readonly processed: (offset: number) => void,
    /** A local write failed (EPIPE: the reader went away). */
    private readonly failed: (error: Error) => void,
  ) {
    for (const stream of Object.values(streams)) stream.on('error', (error: Error) => this.#fail(error));
  }

  write(stream: OutputStream, bytes: Uint8Array, endOffset: number): void {
    if (this.#failed !== undefined) return;
    const entry: Pending = { endOffset, written: false };
    this.#pending.push(entry);
    this.streams[stream].write(bytes, (error) => {
      if (error !== null && error !== undefined) return this.#fail(error);
      entry.written = true;
      this.#advance();
    });
  }

  /** Resolves once everything written so far has been flushed (at once when nothing is pending). */
  flushed(): Promise<void> {
    if (this.#pending.length === 0 || this.#failed !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.#idle.add(resolve));
  }

  #advance(): void {
    let offset: number | undefined;
    while (this.#pending[0]?.written === true) offset = this.#pending.shift()?.endOffset;
    if (offset !== undefined) this.processed(offset);
    if (this.#pending.length === 0) this.#wake();
  }

  #fail(error: Error): void {
    if (this.#failed !== undefined) return;
    this.#failed = error;
    this.#pending.length = 0;
    this.#wake();
    this.failed(error);
  }

  #wake(): void {
    for (const resolve of this.#idle) resolve();
    this.#idle.clear();
  }
}
