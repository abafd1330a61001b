// A child's output pipe read into one buffer that every such pipe of this process shares.
//
// Node reads a pipe into a fresh 64 KiB buffer per read and hands it over for good. For a relay of
// a large output that is one more 64 KiB of garbage per read: V8 frees those buffers only at its
// next collection, and between collections they pile up to tens of MiB that the C library then
// keeps as resident memory (docs/benchmarks.md, "Memory during a relay"). A consumer that copies
// what it keeps anyway — the gateway's sessions copy every chunk into a frame — can read into a
// buffer lent for the duration of its callback instead (`lendOutput`, docs/process-core.md).
//
// Sharing one buffer between all pipes is safe because reads are delivered one at a time on the
// event loop: the reader reads into the buffer and calls back before it reads anything else.
//
// The reader is the spawn addon's (server/native/pipe-reader.c), not a net.Socket: a socket is
// ~1.2 KiB of heap with its stream states and listeners, plus its libuv handle, and a session
// keeps two for its whole life; the addon's reader is a poll handle and one callback.
import { closeSync } from 'node:fs';
import type { OutputSource } from './output.js';

/** Node's own read size for a stream, and the default of `readBytes`. */
export const DEFAULT_READ_BYTES = 64 * 1024;
/**
 * The largest `readBytes`. A child writing fast fills its socket's buffer (~200 KiB) while a 64 KiB
 * read is handled; one read of this size then takes all of it: a relay makes a third of the reads
 * and chunks (docs/benchmarks.md, "Larger reads").
 */
export const MAX_READ_BYTES = 256 * 1024;
export const MIN_READ_BYTES = 1024;

let shared: Buffer | undefined;
/** The shared buffer's first `readBytes`, one view per size: a view per pipe would cost each ~100 bytes. */
const views = new Map<number, Buffer>();

function readBuffer(readBytes: number): Buffer {
  let view = views.get(readBytes);
  if (view === undefined) {
    view = (shared ??= Buffer.allocUnsafeSlow(MAX_READ_BYTES)).subarray(0, readBytes);
    views.set(readBytes, view);
  }
  return view;
}

/** What lent pipes need of the spawn addon (server/native/pipe-reader.c). */
export interface PipeReaderAddon {
  /** Reads `fd` into `buffer`: onRead(length) per read, then onRead(0) at its end or onRead(-errno). */
  readPipe(fd: number, buffer: Buffer, onRead: (length: number) => void): PipeReader;
  pausePipe(reader: PipeReader): void;
  resumePipe(reader: PipeReader): void;
  /** Stops reading and closes the fd; no onRead follows. */
  closePipe(reader: PipeReader): void;
  /**
   * This process takes over `fd`, a pipe end a spawn handed out (readPipe takes it over itself):
   * until then, the addon closes it when Node tears the environment down (server/native/teardown.c).
   */
  releaseFd(fd: number): void;
}

/** Closes a pipe end a spawn handed out and nothing took over. */
export function closeSpawnedFd(addon: Pick<PipeReaderAddon, 'releaseFd'>, fd: number): void {
  // Released first: a teardown must not close the number again once it may name another file.
  addon.releaseFd(fd);
  closeSync(fd);
}

declare const pipeReader: unique symbol;
/** A native reader's handle, opaque to JS. */
export type PipeReader = { readonly [pipeReader]: true };

/**
 * The pipe `fd` as a source whose chunks are views of the shared buffer, valid only until `onData`
 * returns. It is read by the addon's reader, made when reading starts: until then the fd is only a
 * number. A class, not closures: every session holds two for its whole life.
 */
export class LentPipe implements OutputSource {
  #fd: number | null;
  #reader: PipeReader | undefined;
  #onEnd: (() => void) | undefined;
  #ended = false;

  /** `readBytes`: the largest chunk one read delivers (≤ MAX_READ_BYTES). */
  constructor(
    fd: number,
    private readonly readBytes: number,
    private readonly addon: PipeReaderAddon,
  ) {
    this.#fd = fd;
  }

  get lends(): boolean {
    return true;
  }

  start(onData: (data: Buffer) => void, onEnd: () => void): void {
    const fd = this.#fd;
    if (fd === null) return; // destroyed first
    this.#fd = null;
    const buffer = readBuffer(this.readBytes);
    this.#onEnd = onEnd;
    // A failed read (EIO, …) ends the pipe as end-of-file does: what was read is all there is.
    this.#reader = this.addon.readPipe(fd, buffer, (length) => {
      if (length > 0) onData(buffer.subarray(0, length));
      else this.#end();
    });
  }

  pause(): void {
    if (this.#reader !== undefined) this.addon.pausePipe(this.#reader);
  }

  resume(): void {
    if (this.#reader !== undefined) this.addon.resumePipe(this.#reader);
  }

  /**
   * Closes the pipe. One being read ends on the next turn of the loop, as a destroyed stream's
   * 'close' comes: the caller (the drain timer, a failed spawn) is done with it before.
   */
  destroy(): void {
    if (this.#fd !== null) closeSpawnedFd(this.addon, this.#fd);
    this.#fd = null;
    if (this.#reader === undefined || this.#ended) return;
    this.addon.closePipe(this.#reader);
    setImmediate(() => this.#end());
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd?.();
  }
}
