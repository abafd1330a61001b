// ws has had `closeTimeout` on its server since 8.19 (a close handshake the peer does not finish is
// cut short after it); @types/ws 8.18 does not list it yet.
/* eslint-disable @typescript-eslint/no-unused-vars -- declaration merging repeats the type parameters */
import type { IncomingMessage } from 'node:http';
import type { WebSocket as Client } from 'ws';

declare module 'ws' {
  namespace WebSocket {
    interface ServerOptions<
      U extends typeof Client = typeof Client,
      V extends typeof IncomingMessage = typeof IncomingMessage,
    > {
      /** Milliseconds to wait for the peer's close frame before destroying the socket (default 30000). */
      closeTimeout?: number;
    }
  }
}
