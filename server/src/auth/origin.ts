// Browser-facing checks. Host: a page on another site that rebinds its DNS name to 127.0.0.1 sends
// its own name as Host — refusing unknown Host names on a loopback gateway stops it (as Vite's
// allowedHosts does). Origin: a browser always sends it on WebSocket upgrades and cross-site
// requests; only the gateway's own origin and configured ones may drive it.
import { isIP } from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether `host` (a name or an address, IPv6 with or without brackets) is this machine's loopback. */
export function isLoopbackAddress(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host name of a Host header, lowercased, without the port. */
function hostName(hostHeader: string): string {
  const lower = hostHeader.trim().toLowerCase();
  if (lower.startsWith('[')) {
    const end = lower.indexOf(']');
    return end === -1 ? lower : lower.slice(0, end + 1);
  }
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

export interface OriginPolicyOptions {
  /** The address the gateway is bound to. */
  bindHost: string;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  tls: boolean;
}

export class OriginPolicy {
  readonly #restrictHosts: boolean;
  readonly #hosts: Set<string>;
  readonly #origins: Set<string>;
  readonly #scheme: string;

  constructor(options: OriginPolicyOptions) {
    const loopback = isLoopbackAddress(options.bindHost);
    this.#restrictHosts = loopback || options.allowedHosts.length > 0;
    this.#hosts = new Set(options.allowedHosts.map((host) => host.toLowerCase()));
    if (loopback) for (const name of LOOPBACK_NAMES) this.#hosts.add(name);
    this.#origins = new Set(options.allowedOrigins.map((origin) => new URL(origin).origin));
    this.#scheme = options.tls ? 'https' : 'http';
  }

  /** Why a request's Host header is refused (DNS rebinding guard); undefined when it names us. */
  hostRefusal(hostHeader: string | undefined): string | undefined {
    if (hostHeader !== undefined && hostHeader !== '') {
      if (!this.#restrictHosts || this.#hosts.has(hostName(hostHeader))) return undefined;
    }
    return `host ${JSON.stringify((hostHeader ?? '').slice(0, 100))} is not allowed; add it to allowedHosts`;
  }

  /**
   * Whether a present Origin header is the gateway's own or a configured one. `scheme` is the one
   * the client used (a trusted proxy's X-Forwarded-Proto), by default the gateway's own.
   */
  originAllowed(origin: string, hostHeader: string | undefined, scheme = this.#scheme): boolean {
    if (hostHeader !== undefined && origin.toLowerCase() === `${scheme}://${hostHeader.toLowerCase()}`)
      return true;
    let normalized: string;
    try {
      normalized = new URL(origin).origin;
    } catch {
      return false;
    }
    return this.#origins.has(normalized);
  }

  /** Why a request's Origin header is refused; undefined when it is absent or allowed. */
  originRefusal(
    origin: string | undefined,
    hostHeader: string | undefined,
    scheme?: string,
  ): string | undefined {
    if (origin === undefined || this.originAllowed(origin, hostHeader, scheme)) return undefined;
    return `origin ${JSON.stringify(origin.slice(0, 200))} is not allowed`;
  }
}
