// The master side of a terminal the spawn addon made (terminal-spawn.ts): its output read to the
// very end, its input written without blocking, its window resized.
//
// Output is read by the addon's reader (lent-pipe.ts) in its terminal mode, which ends at EIO (every
// slave descriptor closed, all read) and waits out a read of 0 that comes while the last holder of
// the slave is closing it. Input goes through a PipeWriter on a duplicate of the master: libuv lets
// one handle watch a descriptor, and the reader already watches the master.
import { LentPipe, type PipeReaderAddon } from './lent-pipe.js';
import type { OutputSource } from './output.js';
import { PipeWriter, type PipeWriterAddon } from './pipe-writer.js';

/** Reads of a terminal whose chunks are copied: what a terminal hands over at once is ~4 KiB. */
const DEFAULT_COPIED_READ_BYTES = 16 * 1024;

/** What a terminal's master needs of the spawn addon. */
export interface PtyMasterAddon extends PipeReaderAddon, PipeWriterAddon {
  /** 0, or the errno of TIOCSWINSZ. */
  resizeTerminal(fd: number, cols: number, rows: number): number;
}

export class PtyMaster {
  readonly source: OutputSource;
  readonly #addon: PtyMasterAddon;
  readonly #fd: number;
  readonly #input: PipeWriter;
  /** Once the reader has ended, the master is closed and its number may be another file's. */
  #closed = false;

  /**
   * Takes over `masterFd` and its duplicate `inputFd`, both the addon's until now. `readBytes`:
   * output is lent to the source's consumer in reads of up to that many bytes, valid only during
   * its callback; null: each chunk is a copy of its own.
   */
  constructor(masterFd: number, inputFd: number, readBytes: number | null, addon: PtyMasterAddon) {
    this.#addon = addon;
    this.#fd = masterFd;
    this.#input = new PipeWriter(inputFd, addon);
    const reader = new LentPipe(masterFd, readBytes ?? DEFAULT_COPIED_READ_BYTES, addon, true);
    const closed = (): void => {
      this.#closed = true;
    };
    this.source = {
      lends: readBytes !== null,
      start(onData, onEnd) {
        const deliver = readBytes !== null ? onData : (data: Buffer): void => onData(Buffer.from(data));
        reader.start(deliver, () => {
          closed();
          onEnd();
        });
      },
      pause: () => reader.pause(),
      resume: () => reader.resume(),
      destroy: () => {
        closed();
        reader.destroy();
      },
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
