// A Node `ws` WebSocket behind the shared client's StreamSocket interface, and Node's timers behind
// its Scheduler: what a Node program (these tests, a command-line client) needs to run StreamClient.
import type { Scheduler, StreamSocket } from '@shellgate/shared';
import WebSocket from 'ws';

export const nodeScheduler: Scheduler = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(timer) };
  },
};

/** One Buffer out of whichever shape `ws` delivered a message in. */
export function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

export function wsStreamSocket(ws: WebSocket): StreamSocket {
  return {
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onOpen(listener) {
      const handler = (): void => listener();
      ws.on('open', handler);
      return { dispose: () => ws.off('open', handler) };
    },
    onMessage(listener) {
      const handler = (data: WebSocket.RawData, isBinary: boolean): void => {
        const bytes = toBuffer(data);
        listener(isBinary ? bytes : bytes.toString('utf8'));
      };
      ws.on('message', handler);
      return { dispose: () => ws.off('message', handler) };
    },
    onClose(listener) {
      const handler = (code: number, reason: Buffer): void => listener(code, reason.toString('utf8'));
      ws.on('close', handler);
      return { dispose: () => ws.off('close', handler) };
    },
  };
}
