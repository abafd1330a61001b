// The master side of a terminal the spawn addon made (terminal-spawn.ts): its output read to the
// very end, its input written without blocking, its window resized.
//
// Output is read by a tty.ReadStream, which takes a read of 0 for end-of-file. While the last holder
// of the slave side is closing it, Linux can answer a read of the master with 0 although output is
// still buffered; reading the master again returns the rest and then EIO (measured on 6.x kernels).
// So at that premature end the rest is read synchronously, up to EIO. Input goes through a
// PipeWriter on a duplicate of the master: libuv lets one handle watch a descriptor, and the stream
// already watches the master.
import { readSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { PTY_RESCUE_RETRIES } from './constants.js';
import { errnoCode } from './errors.js';
import type { OutputSource } from './output.js';
import { PipeWriter, type PipeWriterAddon } from './pipe-writer.js';

/** What a terminal's master needs of the spawn addon. */
export interface PtyMasterAddon extends PipeWriterAddon {
  /** 0, or the errno of TIOCSWINSZ. */
  resizeTerminal(fd: number, cols: number, rows: number): number;
  releaseFd(fd: number): void;
}

export class PtyMaster {
  readonly source: OutputSource;
  readonly #addon: PtyMasterAddon;
  readonly #fd: number;
  readonly #input: PipeWriter;
  /** Once the stream has closed the master, its number may be another file's: never used again. */
  #closed = false;

  /** Takes over `masterFd` and its duplicate `inputFd`, both the addon's until now. */
  constructor(masterFd: number, inputFd: number, addon: PtyMasterAddon) {
    this.#addon = addon;
    this.#fd = masterFd;
    this.#input = new PipeWriter(inputFd, addon);
    addon.releaseFd(masterFd); // the stream closes it from now on
    const socket = new ReadStream(masterFd);
    socket.once('close', () => {
      this.#closed = true;
    });
    this.source = {
      start(onData, onEnd) {
        socket.on('data', (data: Buffer | string) =>
          onData(Buffer.isBuffer(data) ? data : Buffer.from(data)),
        );
        // 'end' means a read returned 0. It comes only after every chunk before it was delivered,
        // and while the descriptor is still open: read what the kernel still holds, up to EIO.
        socket.on('end', () => readRest(masterFd, onData));
        // EIO (every slave descriptor closed, all read), the end above, or the drain giving up.
        socket.once('close', onEnd);
        // EIO ends every terminal; any error ends the output, and the exit status tells the story.
        socket.on('error', () => {});
      },
      pause: () => void socket.pause(),
      resume: () => void socket.resume(),
      destroy: () => void socket.destroy(),
    };
  }

  /** Bytes passed to `write()` that the terminal has not accepted yet. */
  get pendingInputBytes(): number {
    return this.#input.writableLength;
  }

  /**
   * Types `data`: what the terminal's input buffer takes at once is one write(2), the rest waits,
   * in order, until the terminal takes input again.
   */
  write(data: Buffer): void {
    this.#input.write(data);
  }

  /** Sets the window size; the terminal signals SIGWINCH to its foreground group. */
  resize(cols: number, rows: number): void {
    if (!this.#closed) this.#addon.resizeTerminal(this.#fd, cols, rows);
  }

  /** Drops input the terminal has not accepted and closes the input side: the program is gone. */
  discardInput(): void {
    this.#input.destroy();
  }
}

/**
 * After a premature end-of-file: the program and every other holder of the slave are gone, so what
 * is left is finite and already in the kernel. Reads it synchronously (the stream closes the
 * descriptor right after 'end') until EIO; a transient 0 or EAGAIN is retried a bounded number of
 * times.
 */
function readRest(fd: number, onData: (data: Buffer) => void): void {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let retries = 0;
  while (retries <= PTY_RESCUE_RETRIES) {
    let bytes: number;
    try {
      bytes = readSync(fd, buffer);
    } catch (error) {
      if (errnoCode(error) === 'EAGAIN') {
        retries += 1;
        continue;
      }
      return; // EIO: nothing left. EBADF or anything else: nothing more to be had.
    }
    if (bytes === 0) retries += 1;
    else onData(Buffer.from(buffer.subarray(0, bytes)));
  }
}
