// Refusing an upgrade with a plain HTTP answer, before any 101: the client learns why, and the
// socket is closed once the answer is written.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { HTTP_STATUS } from '@shellgate/shared';
import type { ErrorBody, ErrorCode } from '@shellgate/shared';
import { RETRY_AFTER_SECONDS } from '../http/errors.js';
import { SECURITY_HEADERS } from '../http/headers.js';

/** What a refusal may add to its status and error body. */
export interface RefusalExtras {
  /** Extra response headers (e.g. the Sec-WebSocket-Version a 426 asks for). */
  headers?: Readonly<Record<string, string>>;
  /** Retry-After; by default the one the code always carries (RETRY_AFTER_SECONDS), if any. */
  retryAfterSeconds?: number | undefined;
}

export function refuseUpgrade(
  socket: Duplex,
  code: ErrorCode,
  message: string,
  { headers = {}, retryAfterSeconds }: RefusalExtras = {},
): void {
  const retryAfter = retryAfterSeconds ?? RETRY_AFTER_SECONDS[code];
  const status = HTTP_STATUS[code];
  const body: ErrorBody = { error: { code, message } };
  const text = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Cache-Control: no-store',
    ...(retryAfter === undefined ? [] : [`Retry-After: ${retryAfter}`]),
    ...Object.entries({ ...SECURITY_HEADERS, ...headers }).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  if (socket.writable) socket.end(`${head}\r\n\r\n${text}`);
  // Whatever the client does, the socket does not outlive the answer for long.
  setTimeout(() => socket.destroy(), 1_000).unref();
}
