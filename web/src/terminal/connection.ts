// The session's WebSocket: connect, resume from the last offset after a drop (with backoff), drop
// bytes the server resends, and ack what the terminal has rendered — batched, so that a flood costs
// a few acks per window instead of one per frame.
//
//   offsets:  0 ……… delivered ……… nextOffset ……… streamPos
//             └ rendered & acked ┘└ in xterm's queue ┘
//
// `nextOffset` is what a reconnect asks for: everything received has been handed to the terminal
// (whose write queue survives the socket), so resuming there shows each byte exactly once.
import {
  CloseCode,
  FrameType,
  ProtocolError,
  SUBPROTOCOL,
  decodeFrame,
  encodeFrame,
  parseServerMessage,
} from '@shellgate/shared';
import type { ClientMessage, ClientRole, ServerMessage } from '@shellgate/shared';
import { ApiError, api } from '../api.js';
import type { Disposable } from '../disposables.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';
export type HelloMessage = Extract<ServerMessage, { type: 'hello' }>;
export type EventMessage = Exclude<ServerMessage, { type: 'hello' | 'gap' | 'input' }>;

export interface ConnectionHandlers {
  /** A (re)connection was accepted. `resumed` is false on the first one and after a snapshot. */
  hello(message: HelloMessage, resumed: boolean): void;
  /** New output bytes; call `connection.processed(end)` once they are rendered. */
  output(kind: 'stdout' | 'stderr', bytes: Uint8Array, end: number): void;
  /** What a control client typed into a pipe session, in its place among the output. */
  input(data: string): void;
  /** A PTY snapshot: replaces the screen. */
  snapshot(bytes: Uint8Array): void;
  gap(from: number, to: number): void;
  message(message: EventMessage): void;
  state(state: ConnectionState, detail: string): void;
  unauthorized(): void;
}

export const RECONNECT = { baseMs: 250, maxMs: 5_000 } as const;
/** Ack at once when this much has been rendered since the last ack; else after ACK_DELAY_MS. */
export const ACK_BYTES = 64 * 1024;
export const ACK_DELAY_MS = 25;

export class Connection implements Disposable {
  #ws: WebSocket | null = null;
  #nextOffset: number | null = null;
  #streamPos = 0;
  /** The next input entry wanted (`?input=`): each is shown once across reconnects. */
  #inputSeq = 0;
  #helloSeen = false;
  #lastAck = 0;
  #pendingAck = 0;
  #ackTimer: number | undefined;
  #retryTimer: number | undefined;
  #attempt = 0;
  #exited = false;
  #disposed = false;
  readonly #onOnline = (): void => this.#retryNow();

  constructor(
    readonly sessionId: string,
    readonly role: ClientRole,
    private readonly handlers: ConnectionHandlers,
  ) {
    window.addEventListener('online', this.#onOnline);
    this.#connect();
  }

  get isOpen(): boolean {
    return this.#ws !== null && this.#ws.readyState === WebSocket.OPEN && this.#helloSeen;
  }

  /** Sends a control message; false when not connected (the caller tells the operator). */
  send(message: ClientMessage): boolean {
    if (!this.isOpen || this.#ws === null) return false;
    this.#ws.send(JSON.stringify(message));
    return true;
  }

  sendStdin(bytes: Uint8Array): boolean {
    if (!this.isOpen || this.#ws === null) return false;
    this.#ws.send(encodeFrame(FrameType.Stdin, bytes));
    return true;
  }

  /** The terminal has rendered every byte before `offset`. */
  processed(offset: number): void {
    if (offset <= this.#pendingAck) return;
    this.#pendingAck = offset;
    if (this.#pendingAck - this.#lastAck >= ACK_BYTES) this.#flushAck();
    else this.#ackTimer ??= window.setTimeout(() => this.#flushAck(), ACK_DELAY_MS);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    window.removeEventListener('online', this.#onOnline);
    window.clearTimeout(this.#retryTimer);
    window.clearTimeout(this.#ackTimer);
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(1000, 'client left');
  }

  #connect(): void {
    this.#retryTimer = undefined;
    this.handlers.state(this.#nextOffset === null ? 'connecting' : 'reconnecting', 'connecting…');
    const params = new URLSearchParams({ role: this.role });
    if (this.#nextOffset !== null) params.set('offset', String(this.#nextOffset));
    params.set('input', String(this.#inputSeq));
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/api/sessions/${encodeURIComponent(this.sessionId)}/stream?${params.toString()}`;
    const ws = new WebSocket(url, SUBPROTOCOL);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#helloSeen = false;
    let opened = false;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (event: MessageEvent<unknown>) => {
      if (this.#ws !== ws) return;
      this.#receive(event.data);
    };
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#helloSeen = false;
      window.clearTimeout(this.#ackTimer);
      this.#ackTimer = undefined;
      if (!this.#disposed) this.#closed(event.code, event.reason, opened);
    };
  }

  #receive(data: unknown): void {
    if (typeof data === 'string') {
      let message: ServerMessage;
      try {
        message = parseServerMessage(data);
      } catch (error) {
        const text = error instanceof ProtocolError ? error.message : String(error);
        this.handlers.message({
          type: 'error',
          code: 'INTERNAL',
          message: `unreadable message from the gateway: ${text}`,
        });
        return;
      }
      this.#onMessage(message);
    } else if (data instanceof ArrayBuffer) {
      this.#onFrame(new Uint8Array(data));
    }
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'hello': {
        const requested = this.#nextOffset;
        const resumed = requested !== null && !message.snapshot;
        // Behind what we have: the overlap is dropped frame by frame. Ahead: a `gap` follows.
        if (requested === null || message.snapshot || message.offset > requested) {
          this.#nextOffset = message.offset;
        }
        this.#helloSeen = true;
        this.#attempt = 0;
        this.#streamPos = message.offset;
        this.#lastAck = message.offset;
        this.#pendingAck = message.offset;
        this.handlers.hello(message, resumed);
        this.handlers.state('connected', message.role === 'view' ? 'connected, read-only' : 'connected');
        return;
      }
      case 'gap':
        this.#streamPos = Math.max(this.#streamPos, message.to);
        this.#nextOffset = Math.max(this.#nextOffset ?? 0, message.to);
        this.handlers.gap(message.from, message.to);
        return;
      case 'input':
        if (message.seq < this.#inputSeq) return;
        this.#inputSeq = message.seq + 1;
        this.handlers.input(message.data);
        return;
      case 'exit':
        this.#exited = true;
        this.handlers.message(message);
        return;
      case 'terminating':
      case 'session':
      case 'error':
        this.handlers.message(message);
        return;
      default: {
        const check: never = message;
        return check;
      }
    }
  }

  #onFrame(data: Uint8Array): void {
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (error) {
      const text = error instanceof ProtocolError ? error.message : String(error);
      this.handlers.message({ type: 'error', code: 'INVALID_FRAME', message: `from the gateway: ${text}` });
      return;
    }
    switch (frame.type) {
      case FrameType.Snapshot:
        this.handlers.snapshot(frame.payload);
        return;
      case FrameType.Stdout:
      case FrameType.Stderr: {
        const start = this.#streamPos;
        const end = start + frame.payload.byteLength;
        this.#streamPos = end;
        const next = this.#nextOffset ?? start;
        if (end <= next) return; // already shown before the reconnect
        const bytes = start < next ? frame.payload.subarray(next - start) : frame.payload;
        this.#nextOffset = end;
        this.handlers.output(frame.type === FrameType.Stderr ? 'stderr' : 'stdout', bytes, end);
        return;
      }
      case FrameType.Stdin:
        return;
      default: {
        const check: never = frame.type;
        return check;
      }
    }
  }

  #flushAck(): void {
    window.clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    const offset = Math.min(this.#pendingAck, this.#streamPos);
    if (!this.isOpen || offset <= this.#lastAck) return;
    this.#lastAck = offset;
    this.send({ type: 'ack', offset });
  }

  #closed(code: number, reason: string, opened: boolean): void {
    const why = reason === '' ? `code ${code}` : `${reason} (${code})`;
    switch (code) {
      case CloseCode.Normal:
        this.#offline(this.#exited ? 'session ended' : `closed by the gateway: ${why}`);
        return;
      case CloseCode.SessionGone:
        this.#offline('the session is gone');
        return;
      case CloseCode.Unauthorized:
        this.#offline('signed out');
        this.handlers.unauthorized();
        return;
      case CloseCode.ProtocolError:
      case CloseCode.MessageTooLarge:
        this.#offline(`connection refused: ${why}`);
        return;
      default:
        break;
    }
    if (this.#exited) {
      this.#offline('session ended');
      return;
    }
    // The upgrade was refused (the browser hides the HTTP status) or the network failed: ask over
    // HTTP whether there is still something to reconnect to.
    if (!opened) void this.#probeThenRetry(why);
    else this.#scheduleRetry(`connection lost: ${why}`);
  }

  async #probeThenRetry(why: string): Promise<void> {
    try {
      const session = await api.session(this.sessionId);
      if (this.#disposed) return;
      if (session.state === 'exited' && this.#exited) {
        this.#offline('session ended');
        return;
      }
    } catch (error) {
      if (this.#disposed) return;
      if (error instanceof ApiError && error.status === 401) {
        this.#offline('signed out');
        this.handlers.unauthorized();
        return;
      }
      if (error instanceof ApiError && error.status === 404) {
        this.#offline('the session is gone');
        return;
      }
    }
    this.#scheduleRetry(`cannot connect: ${why}`);
  }

  #scheduleRetry(detail: string): void {
    const delay = Math.min(RECONNECT.maxMs, RECONNECT.baseMs * 2 ** this.#attempt);
    this.#attempt += 1;
    // Jitter, so that a gateway restart is not greeted by every tab at the same instant.
    const wait = Math.round(delay * (0.5 + Math.random() / 2));
    this.handlers.state('reconnecting', `${detail}; retrying in ${(wait / 1000).toFixed(1)} s`);
    this.#retryTimer = window.setTimeout(() => this.#connect(), wait);
  }

  #retryNow(): void {
    if (this.#retryTimer === undefined || this.#disposed) return;
    window.clearTimeout(this.#retryTimer);
    this.#connect();
  }

  #offline(detail: string): void {
    this.handlers.state('offline', detail);
  }
}
