// The `ws` adapter of the shared stream client: a Node WebSocket behind its StreamSocket interface,
// Node's timers behind its Scheduler, and the one thing a browser cannot have — the HTTP answer of
// a refused upgrade (status and `{"error":{code,message}}`), kept so the command can name the cause.
import { randomBytes } from 'node:crypto';
import type { OpenSocket, Scheduler, StreamQuery, StreamSocket } from '@shellgate/shared';
import { SUBPROTOCOL, streamUrl } from '@shellgate/shared';
import WebSocket from 'ws';
import type { Target } from './credentials.js';
import type { ClientError } from './errors.js';
import { readBody, refusalError, unreachableError } from './http.js';

export const nodeScheduler: Scheduler = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(timer) };
  },
};

/** One Buffer out of whichever shape `ws` delivered a message in. */
export function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Why the last connection attempt failed before it opened, with the HTTP status when refused. */
export interface ConnectFailure {
  error: ClientError;
  status: number | undefined;
}

/** A Node `ws` WebSocket behind the shared client's StreamSocket interface. */
export function wsStreamSocket(ws: WebSocket): StreamSocket {
  return {
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onOpen(listener) {
      const handler = (): void => listener();
      ws.on('open', handler);
      return { dispose: () => ws.off('open', handler) };
    },
    onMessage(listener) {
      const handler = (data: WebSocket.RawData, isBinary: boolean): void => {
        const bytes = toBuffer(data);
        listener(isBinary ? bytes : bytes.toString('utf8'));
      };
      ws.on('message', handler);
      return { dispose: () => ws.off('message', handler) };
    },
    onClose(listener) {
      const handler = (code: number, reason: Buffer): void => listener(code, reason.toString('utf8'));
      ws.on('close', handler);
      return { dispose: () => ws.off('close', handler) };
    },
  };
}

/**
 * Opens the stream's sockets: the first one at `firstUrl` (the exec upgrade, say, or a session's
 * stream), every later one — a resume — at the stream of the session the first `hello` named.
 */
export class StreamOpener {
  #sessionId: string | undefined;
  #current: WebSocket | undefined;
  #opened = 0;
  #failure: ConnectFailure | undefined;

  constructor(
    private readonly target: Target,
    private readonly firstUrl: (query: StreamQuery) => string,
    /** Each socket's close, before the stream client hears of it. */
    private readonly onClose: (code: number, reason: string) => void,
  ) {}

  /** The session to resume, once known. */
  set sessionId(id: string) {
    this.#sessionId = id;
  }

  /** The failure of the latest attempt that did not open (cleared by each new attempt). */
  get failure(): ConnectFailure | undefined {
    return this.#failure;
  }

  readonly open: OpenSocket = (query) => {
    const id = this.#sessionId;
    const url =
      this.#opened === 0 || id === undefined
        ? this.firstUrl(query)
        : streamUrl(this.target.baseUrl, id, query);
    this.#opened += 1;
    this.#failure = undefined;
    const ws = new WebSocket(url, SUBPROTOCOL, {
      headers: { authorization: `Bearer ${this.target.token}` },
      ca: this.target.ca,
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
    });
    this.#current = ws;
    ws.once('close', (code, reason) => this.onClose(code, reason.toString('utf8')));
    ws.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      readBody(response).then(
        (body) => {
          this.#failure = { error: refusalError(status, body, 'the gateway refused the connection'), status };
          ws.terminate();
        },
        (error: unknown) => {
          this.#failure = { error: unreachableError(this.target.baseUrl, error), status };
          ws.terminate();
        },
      );
    });
    // `ws` reports a failed connection as an error, then a close: keep the first cause.
    ws.on('error', (error) => {
      this.#failure ??= { error: unreachableError(this.target.baseUrl, error), status: undefined };
    });
    return wsStreamSocket(ws);
  };

  /**
   * Resolves true once the gateway has handled every message sent before it on the current
   * connection (a ping's pong is written after the answers to the messages before it: see
   * docs/protocol.md, "Input"); false if the connection closed first.
   */
  barrier(): Promise<boolean> {
    const ws = this.#current;
    if (ws?.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    const payload = randomBytes(8);
    return new Promise((resolve) => {
      const onPong = (data: Buffer): void => {
        if (!data.equals(payload)) return;
        done(true);
      };
      const onClose = (): void => done(false);
      const done = (ok: boolean): void => {
        ws.off('pong', onPong);
        ws.off('close', onClose);
        resolve(ok);
      };
      ws.on('pong', onPong);
      ws.once('close', onClose);
      ws.ping(payload);
    });
  }
}
