// Reading a pseudo-terminal's master side to its very end, which node-pty alone does not do.
//
// node-pty 1.1.0 (lib/unixTerminal.js) loses output at exit in two ways:
//  1. When the program exits before its output has been read, node-pty destroys the terminal's
//     socket 200 ms later (DESTROY_SOCKET_TIMEOUT_MS), and with it whatever is still unread: all
//     of it under load, or while the reader is paused.
//  2. While the last holder of the slave side is closing it, Linux can answer a read of the master
//     with 0 although output is still buffered; Node takes that for end-of-file and closes the
//     socket. Reading the master again returns the rest and then EIO (measured on 6.x kernels).
//
// So the core takes over: node-pty is told the socket has already closed, which makes it report
// the exit at once and arm no timer; the core then reads until the master reports EIO (every
// slave descriptor closed, nothing left) or the drain rule of `Output` gives up on a background
// job that keeps the slave open; and at a premature end-of-file it reads the rest synchronously.
import { readFileSync, readSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import type { IPty } from 'node-pty';
import { PTY_RESCUE_RETRIES } from './constants.js';
import { errnoCode } from './errors.js';
import type { OutputSource } from './output.js';

/**
 * The private fields of node-pty's UnixTerminal the core relies on. They are not in node-pty's
 * typings, so they are checked at run time (`hasInternals`) rather than assumed: a node-pty that
 * changed them makes the core fall back to node-pty's own exit handling instead of misbehaving.
 */
interface UnixTerminalInternals {
  /** The master side, read by a tty.ReadStream. */
  _socket: ReadStream;
  /** The master's file descriptor. */
  _fd: number;
  /** Whether node-pty has seen the socket close; until then it delays 'exit' and arms its timer. */
  _emittedClose: boolean;
  /** node-pty's input queue: buffers and how far each has been written. */
  _writeStream: { _writeQueue: unknown[] };
}

function hasInternals(pty: IPty): pty is IPty & UnixTerminalInternals {
  return (
    '_socket' in pty &&
    pty._socket instanceof ReadStream &&
    '_fd' in pty &&
    typeof pty._fd === 'number' &&
    '_emittedClose' in pty &&
    pty._emittedClose === false &&
    '_writeStream' in pty &&
    typeof pty._writeStream === 'object' &&
    pty._writeStream !== null &&
    '_writeQueue' in pty._writeStream &&
    Array.isArray(pty._writeStream._writeQueue)
  );
}

interface QueuedWrite {
  buffer: Buffer;
  offset: number;
}

function isQueuedWrite(entry: unknown): entry is QueuedWrite {
  return (
    typeof entry === 'object' &&
    entry !== null &&
    'buffer' in entry &&
    Buffer.isBuffer(entry.buffer) &&
    'offset' in entry &&
    typeof entry.offset === 'number'
  );
}

export interface PtyMaster {
  source: OutputSource;
  /** Bytes passed to `write()` that the terminal has not accepted yet. */
  pendingInputBytes(): number;
  /**
   * Types `data` straight into the master when nothing is queued before it, handing node-pty only
   * what the terminal did not take; false when the caller must hand all of it to node-pty.
   */
  write(data: Buffer): boolean;
  /**
   * Drops input the terminal has not accepted: the program is gone. Otherwise node-pty keeps
   * retrying it, and once the master is closed it would write to a descriptor number the process
   * may already have reused for something else.
   */
  discardInput(): void;
}

/**
 * Takes over the master side of `pty`. Must be called right after spawning, before the event loop
 * turns (node-pty's exit callback cannot have run yet).
 */
export function takeOverMaster(pty: IPty): PtyMaster {
  if (!hasInternals(pty)) return fallbackMaster(pty);
  // Not true, but it is what makes node-pty emit 'exit' as soon as the program has exited and never
  // destroy the socket itself; the core closes it when the drain is over (see `start`).
  pty._emittedClose = true;
  const socket = pty._socket;
  const fd = pty._fd;
  const queue = pty._writeStream._writeQueue;
  return {
    source: {
      start(onData, onEnd) {
        socket.on('data', (data: Buffer | string) =>
          onData(Buffer.isBuffer(data) ? data : Buffer.from(data)),
        );
        // 'end' means a read returned 0. It comes only after every chunk before it was delivered,
        // and while the descriptor is still open: read what the kernel still holds, up to EIO.
        socket.on('end', () => readRest(fd, onData));
        // EIO (every slave descriptor closed, all read), the end above, or the drain giving up.
        socket.once('close', onEnd);
        // node-pty swallows EIO itself and throws anything else unless someone else listens. An
        // error ends the output; the exit status tells the story.
        socket.on('error', () => {});
      },
      pause: () => void socket.pause(),
      resume: () => void socket.resume(),
      destroy: () => void socket.destroy(),
    },
    pendingInputBytes: () =>
      queue.reduce<number>(
        (sum, entry) => (isQueuedWrite(entry) ? sum + entry.buffer.byteLength - entry.offset : sum),
        0,
      ),
    // node-pty writes each input with an asynchronous fs.write: a trip through libuv's thread pool
    // and back for every keystroke, which cost more than the echo it asks for. A keystroke fits in
    // the terminal's input buffer: write it here; node-pty queues whatever does not fit, in order.
    write(data) {
      if (queue.length > 0 || !nonBlocking(fd)) return false;
      let written = 0;
      try {
        written = writeSync(fd, data);
      } catch (error) {
        if (errnoCode(error) !== 'EAGAIN') return false; // node-pty's writer reports it as before
      }
      if (written < data.byteLength) pty.write(data.subarray(written));
      return true;
    },
    // node-pty's writer takes the queue's head afresh on each attempt, so an empty queue stops it.
    discardInput: () => void queue.splice(0),
  };
}

let masterNonBlocking: boolean | undefined;

/**
 * Whether node-pty opened the master non-blocking (it does: its own writer relies on EAGAIN), so a
 * synchronous write can never stall the event loop. Read once from /proc; false where it cannot be.
 */
function nonBlocking(fd: number): boolean {
  if (masterNonBlocking === undefined) {
    try {
      const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      masterNonBlocking = flags !== undefined && (parseInt(flags, 8) & 0o4000) !== 0;
    } catch {
      masterNonBlocking = false;
    }
  }
  return masterNonBlocking;
}

/**
 * After a premature end-of-file: the program and every other holder of the slave are gone, so what
 * is left is finite and already in the kernel. Reads it synchronously (the socket closes the
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

/** node-pty's own behaviour, for a node-pty whose internals are not what this module expects. */
function fallbackMaster(pty: IPty): PtyMaster {
  return {
    source: {
      start(onData, onEnd) {
        // With `encoding: null` node-pty delivers Buffers, although its typings say string.
        pty.onData((data: string | Buffer) => onData(typeof data === 'string' ? Buffer.from(data) : data));
        pty.onExit(() => onEnd());
      },
      pause: () => pty.pause(),
      resume: () => pty.resume(),
      destroy: () => {},
    },
    pendingInputBytes: () => 0,
    write: () => false,
    discardInput: () => {},
  };
}
