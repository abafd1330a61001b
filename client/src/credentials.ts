// Which gateway, and the credential for it: `--url` or SHELLGATE_URL (default http://127.0.0.1:8022),
// the token from SHELLGATE_TOKEN or `--token-file` — never from the command line, where `ps` shows
// it — and `--ca FILE` for a gateway whose certificate a private CA signed. A token is never sent
// over plain http to another machine unless the operator says `--insecure`.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ClientError, ClientErrorCode } from './errors.js';

export const DEFAULT_URL = 'http://127.0.0.1:8022';

export interface Target {
  /** `http(s)://host:port`, no trailing slash. */
  baseUrl: string;
  token: string;
  /** PEM certificates to trust in addition to the system's. */
  ca: Buffer | undefined;
}

export interface ConnectionFlags {
  url?: string | undefined;
  'token-file'?: string | undefined;
  ca?: string | undefined;
  insecure?: boolean | undefined;
}

function readSecretFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ClientError(ClientErrorCode.Config, `cannot read ${what} ${path}: ${reason}`, { cause: error });
  }
}

/** localhost, 127.0.0.0/8 and ::1: a token sent there never leaves the machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new ClientError(ClientErrorCode.Config, `invalid gateway URL ${JSON.stringify(text)}`, {
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientError(
      ClientErrorCode.Config,
      `invalid gateway URL ${JSON.stringify(text)}: expected http:// or https://`,
    );
  }
  return url;
}

export function resolveTarget(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Target {
  const url = parseUrl(flags.url ?? env.SHELLGATE_URL ?? DEFAULT_URL);
  const tokenFile = flags['token-file'];
  const token =
    tokenFile !== undefined
      ? readSecretFile(tokenFile, 'token file').toString('utf8').trim()
      : env.SHELLGATE_TOKEN;
  if (token === undefined || token === '') {
    throw new ClientError(
      ClientErrorCode.Config,
      tokenFile !== undefined
        ? `token file ${tokenFile} is empty`
        : 'no token: set SHELLGATE_TOKEN or pass --token-file FILE',
    );
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && flags.insecure !== true) {
    throw new ClientError(
      ClientErrorCode.InsecureTransport,
      `refusing to send the token over plain http to ${url.host}: use https://, or --insecure if the network is trusted`,
    );
  }
  const ca = flags.ca === undefined ? undefined : readSecretFile(flags.ca, 'CA file');
  const path = url.pathname.replace(/\/+$/, '');
  return { baseUrl: `${url.protocol}//${url.host}${path}`, token, ca };
}
