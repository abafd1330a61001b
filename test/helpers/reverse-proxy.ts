// A real reverse proxy in front of a test gateway (http-proxy-3), set up the way docs/operations.md
// sets up nginx: the public path prefix kept, X-Forwarded-For appended with the client's address,
// X-Forwarded-Proto and -Host replaced with what the public side uses (as if TLS ended here).
// WebSocket upgrades are proxied too.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';

export interface ReverseProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  close(): Promise<void>;
}

export interface ReverseProxyOptions {
  /** The gateway, `http://127.0.0.1:PORT`. */
  target: string;
  /** What the proxy says the client used: X-Forwarded-Proto. */
  publicScheme: 'http' | 'https';
  /** What the proxy says the client asked for: X-Forwarded-Host (default: the request's Host). */
  publicHost?: string;
  /** Changes each request's headers on the way (what an authenticating proxy adds or strips). */
  rewrite?: (headers: IncomingHttpHeaders) => void;
}

export async function startReverseProxy(options: ReverseProxyOptions): Promise<ReverseProxy> {
  const proxy = createProxyServer({ target: options.target, xfwd: false, ws: true });
  // A connection cut at either end (a test closing, the proxy closing under a live stream) is the
  // end of that connection, not of the test process.
  proxy.on('error', (_error, _request, target) => {
    if (target !== undefined && 'destroy' in target && typeof target.destroy === 'function') target.destroy();
  });
  const forward = (request: IncomingMessage): void => {
    const client = request.socket.remoteAddress ?? '';
    const prior = request.headers['x-forwarded-for'];
    request.headers['x-forwarded-for'] = prior === undefined ? client : `${String(prior)}, ${client}`;
    request.headers['x-forwarded-proto'] = options.publicScheme;
    request.headers['x-forwarded-host'] = options.publicHost ?? request.headers.host ?? '';
    options.rewrite?.(request.headers);
  };
  const server = createServer((request, response) => {
    forward(request);
    proxy.web(request, response, {}, () => {
      if (!response.headersSent) response.writeHead(502).end('bad gateway\n');
    });
  });
  // Upgraded sockets leave the HTTP server's books: closed by hand at the end.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => upgraded.delete(socket));
    forward(request);
    proxy.ws(request, socket, head, {}, () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of upgraded) socket.destroy();
        proxy.close();
      }),
  };
}
