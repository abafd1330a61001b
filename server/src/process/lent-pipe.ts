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
// event loop: libuv reads into the buffer and calls back before it reads anything else.
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { OnReadOpts, SocketConstructorOpts } from 'node:net';
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

/**
 * The pipe `fd` as a source whose chunks are views of the shared buffer, valid only until `onData`
 * returns. Its Socket is made when reading starts: until then the fd is only a number. A class, not
 * closures: every session holds two for its whole life.
 */
export class LentPipe implements OutputSource {
  #fd: number | null;
  #socket: Socket | undefined;

  /** `readBytes`: the largest chunk one read delivers (≤ MAX_READ_BYTES). */
  constructor(
    fd: number,
    private readonly readBytes: number,
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
    // `onread` is a documented option of the constructor that @types/node lists only for connect().
    const options: SocketConstructorOpts & { onread: OnReadOpts } = {
      fd,
      readable: true,
      writable: false,
      onread: {
        buffer,
        // true: go on reading (false would pause the socket). Pausing is this source's pause().
        callback: (length) => {
          onData(buffer.subarray(0, length));
          return true;
        },
      },
    };
    const socket = new Socket(options);
    socket.on('end', onEnd);
    // 'close' also covers a pipe destroyed by an error (EIO) or abandoned after exit.
    socket.on('close', onEnd);
    socket.on('error', ignore);
    this.#socket = socket;
  }

  pause(): void {
    this.#socket?.pause();
  }

  resume(): void {
    this.#socket?.resume();
  }

  destroy(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#socket?.destroy();
  }
}

function ignore(): void {}
