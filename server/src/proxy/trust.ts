// What a request says about its client when a reverse proxy stands in between. X-Forwarded-For,
// -Proto and -Host are believed only when the socket's peer is one of `trustedProxies`; from
// anyone else they are ignored, so a client cannot claim another address (audit records,
// per-address rate limits), another host (the Host and Origin checks) or TLS (the Secure cookie).
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** The first value of a header a proxy may have sent more than once or as a list. */
function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const first = value?.split(',')[0]?.trim();
  return first === undefined || first === '' ? undefined : first;
}

export class ProxyTrust {
  readonly #trust: (address: string, hop: number) => boolean;

  constructor(
    trustedProxies: readonly string[],
    /** Whether the gateway itself serves TLS. */
    private readonly tls: boolean,
  ) {
    this.#trust = proxyAddr.compile([...trustedProxies]);
  }

  /** Whether the request came straight from a trusted proxy. */
  fromTrustedProxy(request: IncomingMessage): boolean {
    const peer = request.socket.remoteAddress;
    return peer !== undefined && this.#trust(peer, 0);
  }

  /**
   * The client's address: the socket's peer, or — through trusted proxies — the nearest address in
   * X-Forwarded-For that is not itself a trusted proxy.
   */
  clientAddress(request: IncomingMessage): string | undefined {
    if (request.socket.remoteAddress === undefined) return undefined;
    return this.fromTrustedProxy(request) ? proxyAddr(request, this.#trust) : request.socket.remoteAddress;
  }

  /** The Host the client asked for: X-Forwarded-Host from a trusted proxy, else Host. */
  host(request: IncomingMessage): string | undefined {
    if (this.fromTrustedProxy(request)) {
      const forwarded = firstValue(request.headers['x-forwarded-host']);
      if (forwarded !== undefined) return forwarded;
    }
    return request.headers.host;
  }

  /** The scheme the client used: X-Forwarded-Proto from a trusted proxy, else the gateway's own. */
  scheme(request: IncomingMessage): 'http' | 'https' {
    if (this.fromTrustedProxy(request)) {
      const forwarded = firstValue(request.headers['x-forwarded-proto'])?.toLowerCase();
      if (forwarded === 'https' || forwarded === 'http') return forwarded;
    }
    return this.tls ? 'https' : 'http';
  }
}
