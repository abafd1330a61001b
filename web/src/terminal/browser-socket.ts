// The browser's WebSocket behind the shared client's StreamSocket interface, and the browser's
// timers behind its Scheduler: the only DOM the stream client needs.
import { SUBPROTOCOL } from '@shellgate/shared';
import type { Scheduler, StreamSocket } from '@shellgate/shared';
import { after, toDisposable } from '../disposables.js';
import type { Disposable } from '../disposables.js';

export const browserScheduler: Scheduler = { after };

export function openBrowserSocket(url: string): StreamSocket {
  const ws = new WebSocket(url, SUBPROTOCOL);
  ws.binaryType = 'arraybuffer';
  const on = <K extends keyof WebSocketEventMap>(
    type: K,
    handler: (event: WebSocketEventMap[K]) => void,
  ): Disposable => {
    ws.addEventListener(type, handler);
    return toDisposable(() => ws.removeEventListener(type, handler));
  };
  return {
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onOpen: (listener) => on('open', () => listener()),
    onMessage: (listener) =>
      on('message', (event: MessageEvent<unknown>) => {
        if (typeof event.data === 'string') listener(event.data);
        else if (event.data instanceof ArrayBuffer) listener(new Uint8Array(event.data));
      }),
    onClose: (listener) => on('close', (event) => listener(event.code, event.reason)),
  };
}
