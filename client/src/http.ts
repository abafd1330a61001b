// JSON requests to the gateway's HTTP API. node:http(s) rather than fetch, so that `--ca` reaches
// the TLS layer without another dependency. Every failure is a ClientError naming its cause.
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Target } from './credentials.js';
import { ClientError, ClientErrorCode } from './errors.js';

/** Answers larger than this are not an API answer this client knows. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 30_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"error":{code,message}}` read off a refusal, or a description of the status. */
export function refusalError(status: number, body: string, what: string): ClientError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const error = isRecord(parsed) ? parsed.error : undefined;
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ClientError(ClientErrorCode.Refused, `${what}: ${error.message} (${error.code})`, {
      remoteCode: error.code,
    });
  }
  return new ClientError(ClientErrorCode.Refused, `${what}: HTTP ${status}`);
}

export function unreachableError(baseUrl: string, error: unknown): ClientError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ClientError(ClientErrorCode.Unreachable, `cannot reach the gateway at ${baseUrl}: ${reason}`, {
    cause: error,
  });
}

/** Reads a response body, bounded. */
export function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    response.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_ANSWER_BYTES) response.destroy(new Error('answer too large'));
      else chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
  });
}

/** `method path` with an optional JSON body; resolves the parsed JSON answer of a 2xx. */
export function requestJson(target: Target, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = new URL(`${target.baseUrl}${path}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const what = `${method} ${url.pathname}`;
  return new Promise((resolve, reject) => {
    const request = send(url, {
      method,
      ca: target.ca,
      timeout: REQUEST_TIMEOUT_MS,
      headers: {
        authorization: `Bearer ${target.token}`,
        accept: 'application/json',
        ...(payload === undefined
          ? {}
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
    });
    request.once('timeout', () => request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
    request.once('error', (error) => reject(unreachableError(target.baseUrl, error)));
    request.once('response', (response) => {
      readBody(response).then(
        (text) => {
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(refusalError(status, text, what));
          try {
            resolve(text === '' ? undefined : JSON.parse(text));
          } catch (error) {
            reject(
              new ClientError(ClientErrorCode.Protocol, `${what}: the answer is not JSON`, { cause: error }),
            );
          }
        },
        (error: unknown) => reject(unreachableError(target.baseUrl, error)),
      );
    });
    request.end(payload);
  });
}
