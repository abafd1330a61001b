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

/** Node's own read size for a stream: the largest chunk a pipe read delivers. */
const READ_BYTES = 64 * 1024;

let shared: Buffer | undefined;

/**
 * The pipe `fd` as a source whose chunks are views of the shared buffer, valid only until `onData`
 * returns. Its Socket is made when reading starts: until then the fd is only a number.
 */
export function lentPipeSource(fd: number): OutputSource {
  let socket: Socket | undefined;
  let destroyed = false;
  return {
    lends: true,
    start(onData, onEnd) {
      if (destroyed) return;
      const buffer = (shared ??= Buffer.allocUnsafeSlow(READ_BYTES));
      const onread: OnReadOpts = {
        buffer,
        // true: go on reading (false would pause the socket). Pausing is the source's pause().
        callback: (length) => {
          onData(buffer.subarray(0, length));
          return true;
        },
      };
      // `onread` is a documented option of the constructor that @types/node lists only for connect().
      const options: SocketConstructorOpts & { onread: OnReadOpts } = {
        fd,
        readable: true,
        writable: false,
        onread,
      };
      socket = new Socket(options);
      socket.once('end', onEnd);
      // 'close' also covers a pipe destroyed by an error (EIO) or abandoned after exit.
      socket.once('close', onEnd);
      socket.on('error', () => {});
    },
    pause: () => void socket?.pause(),
    resume: () => void socket?.resume(),
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      if (socket === undefined) closeSync(fd);
      else socket.destroy();
    },
  };
}
