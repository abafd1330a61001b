// A small real-WebSocket client for tests (the `ws` package): attaches to a session's stream,
// collects every output byte and message in order, acks as it goes, and offers waits with bounds.
import type { IncomingHttpHeaders } from 'node:http';
import { FrameType, SUBPROTOCOL, decodeFrame, parseServerMessage, streamUrl } from '@shellgate/shared';
import type { ClientRole, ServerMessage, ServerMessageType } from '@shellgate/shared';
import WebSocket from 'ws';
import { toBuffer } from './ws-socket.js';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface ConnectOptions {
  token?: string;
  cookie?: string;
  origin?: string;
  offset?: number;
  role?: ClientRole;
  /** Ack every output frame as it arrives (default true). Off to play a slow or stuck client. */
  autoAck?: boolean;
  /** Subprotocols to offer (default `[shellgate.v1]`). */
  protocols?: string[];
  headers?: Record<string, string>;
  /** Extra raw query string appended to the URL (for bad-input tests). */
  query?: string;
  /** Answer pings (default true). Off to play a dead peer. */
  autoPong?: boolean;
}

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

type Typed<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

interface Waiter {
  check(): boolean;
}

export class TestClient {
  readonly messages: ServerMessage[] = [];
  readonly chunks: OutputChunk[] = [];
  /** Snapshot frames (PTY sessions): escape sequences redrawing the screen, not counted in offsets. */
  readonly snapshots: Buffer[] = [];
  /** Everything in order as it arrived: messages and output chunks, for ordering assertions. */
  readonly events: Array<
    { kind: 'message'; message: ServerMessage } | { kind: 'output'; chunk: OutputChunk }
  > = [];
  /** Stream offset just past the last byte received (hello's offset, moved on by output and gaps). */
  position = 0;
  autoAck: boolean;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeInfo: { code: number; reason: string } | undefined;
  private readonly waiters = new Set<Waiter>();
  private consumed = new Set<ServerMessage>();

  constructor(
    readonly ws: WebSocket,
    autoAck: boolean,
  ) {
    this.autoAck = autoAck;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.notify();
      });
    });
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    const bytes = toBuffer(data);
    if (isBinary) {
      const frame = decodeFrame(bytes);
      if (frame.type === FrameType.Snapshot) {
        this.snapshots.push(Buffer.from(frame.payload));
        this.notify();
        return;
      }
      const stream =
        frame.type === FrameType.Stdout ? 'stdout' : frame.type === FrameType.Stderr ? 'stderr' : undefined;
      if (stream === undefined) throw new Error(`unexpected frame type ${String(frame.type)}`);
      const chunk = { stream, data: Buffer.from(frame.payload) } as const;
      this.chunks.push(chunk);
      this.events.push({ kind: 'output', chunk });
      this.position += chunk.data.length;
      if (this.autoAck) this.ack();
    } else {
      const message = parseServerMessage(bytes.toString('utf8'));
      this.messages.push(message);
      this.events.push({ kind: 'message', message });
      if (message.type === 'hello') this.position = message.offset;
      if (message.type === 'gap') this.position = message.to;
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter.check();
  }

  /** Resolves when `predicate` holds (checked now and after every event), rejects after a bound. */
  waitFor<T>(what: string, predicate: () => T | undefined, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; output so far: ${JSON.stringify(this.text().slice(-500))}; messages: ${JSON.stringify(this.messages).slice(-1500)}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        check: () => {
          const value = predicate();
          if (value === undefined) return false;
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(value);
          return true;
        },
      };
      if (!waiter.check()) this.waiters.add(waiter);
    });
  }

  /** The first message of `type` not returned by an earlier call. */
  nextMessage<T extends ServerMessageType>(type: T, timeoutMs?: number): Promise<Typed<T>> {
    return this.waitFor(
      `a "${type}" message`,
      () => {
        const found = this.messages.find(
          (message): message is Typed<T> => message.type === type && !this.consumed.has(message),
        );
        if (found) this.consumed.add(found);
        return found;
      },
      timeoutMs,
    );
  }

  /** All output so far, stdout and stderr together in relay order. */
  output(stream?: 'stdout' | 'stderr'): Buffer {
    return Buffer.concat(
      this.chunks
        .filter((chunk) => stream === undefined || chunk.stream === stream)
        .map((chunk) => chunk.data),
    );
  }

  text(stream?: 'stdout' | 'stderr'): string {
    return this.output(stream).toString('utf8');
  }

  waitForOutput(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string> {
    return this.waitFor(
      'output',
      () => {
        const text = this.text();
        return predicate(text) ? text : undefined;
      },
      timeoutMs,
    );
  }

  waitForBytes(count: number, timeoutMs?: number): Promise<Buffer> {
    return this.waitFor(
      `${count} output bytes`,
      () => {
        const output = this.output();
        return output.length >= count ? output : undefined;
      },
      timeoutMs,
    );
  }

  waitForClose(timeoutMs?: number): Promise<{ code: number; reason: string }> {
    return this.waitFor('the connection to close', () => this.closeInfo, timeoutMs);
  }

  /** Bytes for stdin, as a binary 0x00 frame. */
  sendInput(data: string | Uint8Array): void {
    const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.ws.send(Buffer.concat([Buffer.from([FrameType.Stdin]), payload]));
  }

  /** A control message (any JSON value: tests send bad ones on purpose). */
  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = typeof data !== 'string'): void {
    this.ws.send(data, { binary });
  }

  ack(offset = this.position): void {
    if (this.ws.readyState === WebSocket.OPEN) this.send({ type: 'ack', offset });
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close();
    return this.closed;
  }

  /** Drop the TCP connection without a close handshake. */
  terminate(): Promise<{ code: number; reason: string }> {
    this.ws.terminate();
    return this.closed;
  }
}

function urlFor(baseUrl: string, sessionId: string, options: ConnectOptions): string {
  const url = streamUrl(baseUrl, sessionId, { offset: options.offset, role: options.role });
  if (options.query === undefined) return url;
  return url + (url.includes('?') ? '&' : '?') + options.query;
}

function headersFor(options: ConnectOptions): Record<string, string> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  return headers;
}

/** Attaches to a session and waits for `hello`. Rejects if the upgrade is refused. */
export async function connect(
  baseUrl: string,
  sessionId: string,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const ws = new WebSocket(urlFor(baseUrl, sessionId, options), options.protocols ?? [SUBPROTOCOL], {
    headers: headersFor(options),
    origin: options.origin,
    perMessageDeflate: false,
    autoPong: options.autoPong ?? true,
  });
  const client = new TestClient(ws, options.autoAck ?? true);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) => {
      reject(new Error(`upgrade refused with ${response.statusCode}`));
      response.resume();
    });
  });
  await client.waitFor('hello', () => client.messages.find((message) => message.type === 'hello'));
  return client;
}

export interface Refusal {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
}

/** Tries to attach and expects the upgrade to be refused: resolves with the HTTP answer. */
export function connectRefused(
  baseUrl: string,
  sessionId: string,
  options: ConnectOptions = {},
): Promise<Refusal> {
  const ws = new WebSocket(urlFor(baseUrl, sessionId, options), options.protocols ?? [SUBPROTOCOL], {
    headers: headersFor(options),
    origin: options.origin,
    perMessageDeflate: false,
  });
  return upgradeRefusal(ws);
}

/** The HTTP answer that refused `ws`'s upgrade (attach or exec); rejects if it was accepted instead. */
export function upgradeRefusal(ws: WebSocket): Promise<Refusal> {
  return new Promise<Refusal>((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted (101) but a refusal was expected'));
    });
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.once('end', () =>
        resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
      );
    });
  });
}
