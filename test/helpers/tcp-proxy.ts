// A TCP relay in front of the gateway that a test can cut, to drop the browser's connections the way
// a network failure does (both directions closed, no WebSocket close frame). It passes the Host
// header through untouched, so the gateway sees the page's own origin. With `delayMs` it also plays a
// distant link for benchmarks: every chunk arrives that much later in each direction, and a new
// connection carries nothing for one round trip (its TCP handshake), so round trips cost what they
// cost on a network. It does not apply backpressure then: meant for small exchanges only.
import { createServer, connect } from 'node:net';
import type { Socket } from 'node:net';

export interface TcpProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Destroys every open connection (new ones are still accepted). Returns how many it cut. */
  cut(): number;
  /** While true, new connections are accepted and closed at once: the gateway is unreachable. */
  refuse(refusing: boolean): void;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** One-way delay of the emulated link; 0 (the default) relays at once. */
  delayMs?: number;
}

/** Relays `from` to `to` later by `delayMs`, in order (timers of equal delay fire in turn). */
function relayLate(from: Socket, to: Socket, delayMs: number): void {
  to.setNoDelay(true); // Nagle would hold a small late chunk back for the previous one's ACK
  from.on('data', (chunk: Buffer) => setTimeout(() => to.write(chunk), delayMs));
  from.on('end', () => setTimeout(() => to.end(), delayMs));
}

export async function startTcpProxy(targetPort: number, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const delayMs = options.delayMs ?? 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    track(client);
    if (delayMs > 0) client.pause(); // the handshake's round trip
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    if (delayMs > 0) {
      setTimeout(() => {
        relayLate(client, upstream, delayMs);
        relayLate(upstream, client, delayMs);
        client.resume();
      }, 2 * delayMs);
    } else {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut() {
      const count = sockets.size;
      for (const socket of sockets) socket.destroy();
      return count;
    },
    refuse(value) {
      refusing = value;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
