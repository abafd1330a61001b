// A child's stdin pipe written with write(2) by the spawn addon (server/native/pipe-writer.c).
//
// A net.Socket would cost the child ~1.2 KiB of heap with its stream states, plus its libuv handle,
// for its whole life once written to, and every keystroke would go through the stream machinery and
// a write request. Here a write the pipe takes at once is one system call; what it does not take is
// queued, in order, and written when the addon's poll says the pipe takes data again.
import { constants } from 'node:os';

/** What stdin needs of the spawn addon. */
export interface PipeWriterAddon {
  openWriter(fd: number, onWritable: () => void): PipeWriterHandle;
  /** Bytes written, or -errno (-EAGAIN: the pipe is full). */
  writePipe(writer: PipeWriterHandle, data: Buffer): number;
  /** Calls the writer's onWritable once, when the pipe takes data again. */
  waitWritable(writer: PipeWriterHandle): void;
  /** Closes the fd; no onWritable follows. */
  closeWriter(writer: PipeWriterHandle): void;
}

declare const pipeWriter: unique symbol;
/** A native writer's handle, opaque to JS. */
export type PipeWriterHandle = { readonly [pipeWriter]: true };

const EAGAIN = -constants.errno.EAGAIN;

/**
 * The part of a Writable that `Input` uses, for a stdin pipe of the addon's making. Errors (EPIPE:
 * the child stopped reading) destroy it quietly: the exit status tells the story.
 */
export class PipeWriter {
  readonly #addon: PipeWriterAddon;
  readonly #handle: PipeWriterHandle;
  /** What the pipe has not taken yet, oldest first; the first may be partly written. */
  #queue: Buffer[] = [];
  #queued = 0;
  #ending = false;
  #destroyed = false;

  constructor(fd: number, addon: PipeWriterAddon) {
    this.#addon = addon;
    this.#handle = addon.openWriter(fd, () => this.#flush());
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Bytes written but not yet taken by the pipe. */
  get writableLength(): number {
    return this.#queued;
  }

  write(data: string | Buffer): void {
    if (this.#destroyed || this.#ending) return;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (bytes.length === 0) return;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    // Something queued before is waiting for the poll: this goes after it.
    if (this.#queue.length === 1) this.#flush();
  }

  /** Closes the pipe once everything queued is written: the child reads end-of-file. */
  end(): void {
    if (this.#destroyed || this.#ending) return;
    this.#ending = true;
    if (this.#queued === 0) this.destroy();
  }

  /** Closes the pipe now; what is queued is dropped. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#queue = [];
    this.#queued = 0;
    this.#addon.closeWriter(this.#handle);
  }

  #flush(): void {
    while (!this.#destroyed && this.#queue.length > 0) {
      const first = this.#queue[0] as Buffer;
      const written = this.#addon.writePipe(this.#handle, first);
      if (written === EAGAIN || written === 0) {
        this.#addon.waitWritable(this.#handle);
        return;
      }
      if (written < 0) {
        this.destroy();
        return;
      }
      this.#queued -= written;
      if (written === first.length) this.#queue.shift();
      else this.#queue[0] = first.subarray(written);
    }
    if (this.#ending) this.destroy();
  }
}
