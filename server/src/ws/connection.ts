// One WebSocket attached to a session: binary stdin frames and JSON control messages in, through
// one exhaustive switch; output, `hello`, `gap`, `exit` and errors out through the session.
import {
  CloseCode,
  ErrorCode,
  FrameType,
  ProtocolError,
  decodeFrame,
  parseClientMessage,
} from '@shellgate/shared';
import type { ClientMessage, ClientRole, ServerMessage } from '@shellgate/shared';
import WebSocket from 'ws';
import type { Credential } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import { auditedOrigin } from '../log/audit.js';
import type { Logger } from '../log/logger.js';
import type { Actor, ImmediateAction } from '../sessions/actions.js';
import type { Attachment, ClientSink } from '../sessions/attachment.js';
import { framePool } from '../sessions/frame-pool.js';
import type { Session } from '../sessions/session.js';
import type { Beat, Beating, Heartbeat } from './heartbeat.js';

/** Consecutive rate-limited inputs after which the client is disconnected (4029). */
const MAX_RATE_LIMIT_STRIKES = 16;
const BINARY = { binary: true } as const;
/** setTimeout's longest delay; a later login expiry is checked again after this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface OpenRequest {
  session: Session;
  role: ClientRole;
  /** The `?offset=` asked for; null when absent. */
  offset: number | null;
  /** The `?input=` asked for (the first input entry wanted); null: the client wants none. */
  inputSeq?: number | null;
  from: string | undefined;
  /** The request's Origin header (browsers send it; scripts usually do not): for the audit trail. */
  origin: string | undefined;
  credential: Credential;
  /** Close with 1000 once `exit` was sent (exec streams); other streams stay open until removal. */
  closeAfterExit: boolean;
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * A connection is its session's ClientSink and its heartbeat's Beating itself: methods on the
 * prototype, not closures per connection (each costs a function and keeps a context alive).
 */
class Connection implements ClientSink, Beating {
  readonly attachment: Attachment;
  readonly actor: Actor & { via: 'stream' };
  /** Its heartbeat registration, once the socket is open. */
  beat: Beat | undefined;
  #strikes = 0;
  #closed = false;
  #loginTimer: NodeJS.Timeout | undefined;
  /** limits.maxClientBacklogBytes, read once: every output frame is checked against it. */
  readonly #backlogLimit: number;
  /** Every line it logs carries its session's id and its own. */
  readonly #log: Logger;
  readonly #metrics: GatewayContext['metrics'];

  constructor(
    /** Numbers connections in the log, from 1 per gateway run. */
    id: number,
    readonly ws: WebSocket,
    readonly request: OpenRequest,
    private readonly context: GatewayContext,
    /** Called once, when it is detached. */
    private readonly onGone: (connection: Connection) => void,
  ) {
    this.#backlogLimit = context.config.limits.maxClientBacklogBytes;
    this.#log = context.logger.child({ session: request.session.id, connection: id });
    this.#metrics = context.metrics;
    ws.on('pong', (data) => this.beat?.pong(data));
    ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
    ws.on('error', (error) => this.#log.debug('websocket error', { error }));
    // 'close' comes once, and #gone runs once anyway: `on` spares the wrapper `once` would keep.
    ws.on('close', (code) => this.#gone(code));
    this.actor = {
      via: 'stream',
      principal: request.credential.principal,
      from: request.from,
      role: request.role,
    };
    this.attachment = request.session.attach(this, request.role, request.offset, request.inputSeq ?? null);
    context.actions.attached(this.actor, request.session, {
      role: request.role,
      offset: request.offset,
      origin: auditedOrigin(request.origin),
    });
    const { loginId } = request.credential;
    if (loginId !== undefined) this.#watchLogin(loginId);
  }

  sendFrame(frame: Uint8Array): void {
    const { ws } = this;
    if (ws.readyState !== WebSocket.OPEN) return;
    // A pooled frame is reused once the socket is done with it (frame-pool.ts). ws calls back once
    // the write is done, or failed with the socket.
    if (framePool.hold(frame)) ws.send(frame, BINARY, () => framePool.release(frame));
    else ws.send(frame, BINARY);
    const metrics = this.#metrics;
    if (metrics !== undefined) {
      if (frame[0] === FrameType.Stdout) metrics.relayed('stdout', frame.length - 1);
      else if (frame[0] === FrameType.Stderr) metrics.relayed('stderr', frame.length - 1);
    }
    this.#checkBacklog();
  }

  sendMessage(message: ServerMessage): void {
    this.send(message);
    if (message.type === 'exit' && this.request.closeAfterExit) this.close(CloseCode.Normal, 'session ended');
  }

  ping(payload: Buffer): void {
    this.ws.ping(payload);
  }

  send(message: ServerMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (message.type === 'gap') this.context.metrics?.gapSent();
    this.ws.send(JSON.stringify(message));
    this.#checkBacklog();
  }

  /**
   * What the socket has not taken yet stays in the gateway's memory. Flow control counts only what
   * was queued and acked, and a client can ack without reading; so a client whose unsent backlog
   * passes the limit is not reading, and is cut off before it costs more (4009).
   */
  #checkBacklog(): void {
    const backlog = this.ws.bufferedAmount;
    const limit = this.#backlogLimit;
    if (backlog <= limit) return;
    this.context.actions.notReading(this.actor, this.request.session, { backlog, limit });
    // The close frame queues behind the backlog: a client that reads again learns why; one that
    // does not is cut when the close times out. Nothing more is sent once the socket is closing.
    this.close(CloseCode.ClientNotReading, 'client not reading');
    // Detach on the next turn, not inside the session's send loop that got us here.
    setImmediate(() => this.#gone(CloseCode.ClientNotReading));
  }

  /** A cookie login that expires closes the streams opened with it, as a logout does (4001). */
  #watchLogin(loginId: string): void {
    const logins = this.context.authenticator.logins;
    const expiresAt = logins.expiresAt(loginId);
    if (expiresAt === undefined) {
      this.close(CloseCode.Unauthorized, 'the login has expired');
      return;
    }
    const delay = Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS);
    this.#loginTimer = setTimeout(() => this.#watchLogin(loginId), delay);
    this.#loginTimer.unref();
  }

  close(code: number, reason: string): void {
    // A close handshake the peer does not finish is cut short by ws (the server's closeTimeout).
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(code, reason);
  }

  /** No pong in time: detach now, then close (the peer is probably not there to answer). */
  dead(): void {
    this.#gone(CloseCode.HeartbeatTimeout);
    this.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout');
  }

  #gone(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#loginTimer);
    const { session } = this.request;
    session.detach(this.attachment);
    this.context.actions.detached(this.actor, session, code);
    this.onGone(this);
  }

  #receive(data: WebSocket.RawData, isBinary: boolean): void {
    try {
      const bytes = toBuffer(data);
      if (isBinary) this.#stdin(bytes);
      else {
        const text = bytes.toString('utf8');
        this.#handle(parseClientMessage(text));
      }
      this.#strikes = 0;
    } catch (error) {
      this.#fail(error);
    }
  }

  #stdin(bytes: Buffer): void {
    const frame = decodeFrame(bytes);
    if (frame.type !== FrameType.Stdin) {
      throw new ProtocolError(
        ErrorCode.InvalidFrame,
        `clients may only send stdin frames (0x00), not 0x${frame.type.toString(16).padStart(2, '0')}`,
      );
    }
    this.#act({ type: 'write', data: frame.payload, from: this.attachment });
  }

  #handle(message: ClientMessage): void {
    const { session } = this.request;
    switch (message.type) {
      case 'input':
        this.#act({ type: 'write', data: Buffer.from(message.data, 'utf8'), from: this.attachment });
        return;
      case 'resize':
        this.#act({ ...message, from: this.attachment });
        return;
      case 'close-stdin':
      case 'signal':
        this.#act(message);
        return;
      case 'terminate': {
        if (this.actor.role === 'control' && session.state === 'exited')
          throw new ProtocolError(ErrorCode.SessionExited, 'the process has already exited');
        const gracePeriodMs = message.gracePeriodMs ?? this.context.config.limits.terminateGracePeriodMs;
        this.context.actions
          .terminate(this.actor, session, gracePeriodMs)
          .catch((error: unknown) => this.#fail(error));
        return;
      }
      case 'ack':
        session.ack(this.attachment, message.offset);
        return;
      default: {
        const check: never = message;
        throw new ProtocolError(ErrorCode.UnknownMessageType, `unhandled message ${JSON.stringify(check)}`);
      }
    }
  }

  #act(action: ImmediateAction): void {
    this.context.actions.perform(this.actor, this.request.session, action);
  }

  #fail(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.send({ type: 'error', code: error.code, message: error.message });
      if (error.code === ErrorCode.RateLimited && ++this.#strikes >= MAX_RATE_LIMIT_STRIKES) {
        this.close(CloseCode.RateLimited, 'input rate limit exceeded repeatedly');
      }
      return;
    }
    this.#log.error('message handling failed', { error });
    this.send({ type: 'error', code: ErrorCode.Internal, message: 'internal error' });
  }
}

/** Every open stream connection: heartbeats, shutdown notices, logout revocation. */
export class Connections {
  /** Open connections. */
  readonly #open = new Set<Connection>();
  /** Connections opened so far: the next one's id. */
  #opened = 0;

  constructor(
    private readonly context: GatewayContext,
    private readonly heartbeat: Heartbeat,
  ) {}

  get size(): number {
    return this.#open.size;
  }

  /** Each open connection's role (metrics). */
  *roles(): Generator<{ role: ClientRole }> {
    for (const connection of this.#open) yield { role: connection.request.role };
  }

  open(ws: WebSocket, request: OpenRequest): void {
    this.#opened += 1;
    const connection = new Connection(this.#opened, ws, request, this.context, this.#gone);
    if (ws.readyState !== WebSocket.OPEN) return;
    connection.beat = this.heartbeat.add(connection);
    this.#open.add(connection);
    this.context.metrics?.clientsAttached(this.#open.size);
  }

  /** One function for every connection's end, rather than a closure each. */
  readonly #gone = (gone: Connection): void => {
    gone.beat?.dispose();
    this.#open.delete(gone);
    this.context.metrics?.clientsAttached(this.#open.size);
  };

  /** Tells every client the gateway is going away (sessions are terminated next). */
  announceShutdown(): void {
    for (const connection of this.#open) {
      connection.send({
        type: 'error',
        code: ErrorCode.ShuttingDown,
        message: 'the gateway is shutting down; sessions are being terminated',
      });
    }
  }

  /** Closes the connections opened with a login that was just logged out (4001). */
  revokeLogin(loginId: string): void {
    for (const connection of this.#open) {
      if (connection.request.credential.loginId === loginId)
        connection.close(CloseCode.Unauthorized, 'logged out');
    }
  }

  /** Closes the streams opened through a share link that expired or was revoked (4003). */
  endShare(shareId: string, reason: string): void {
    for (const connection of this.#open) {
      if (connection.request.credential.principal.share?.id === shareId)
        connection.close(CloseCode.ShareEnded, reason);
    }
  }

  /** Cuts whatever is left (after the sessions closed their clients). */
  terminateAll(): void {
    for (const connection of this.#open) connection.ws.terminate();
  }
}
