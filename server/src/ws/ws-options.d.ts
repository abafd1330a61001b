// ws has had `closeTimeout` on its server since 8.19 (the close handshake a peer does not finish is
// cut short after it); @types/ws 8.18 does not list it yet.
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';

declare module 'ws' {
  namespace WebSocket {
    interface ServerOptions<
      U extends typeof WebSocket.WebSocket = typeof WebSocket.WebSocket,
      V extends typeof IncomingMessage = typeof IncomingMessage,
    > {
      /** Milliseconds to wait for the peer's close frame before destroying the socket (default 30000). */
      closeTimeout?: number;
    }
  }
}
