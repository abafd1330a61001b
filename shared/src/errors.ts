// Stable error codes. Every error the gateway reports, over HTTP (`{"error":{code,message}}`) or
// WebSocket (`{"type":"error",code,message}`), carries one of these; clients switch on the code,
// people read the message. docs/protocol.md lists them in one table.

export const ErrorCode = {
  /** No credential, or a credential the gateway does not know. HTTP 401. */
  Unauthorized: 'UNAUTHORIZED',
  /** The credential is valid but its role may not do this (a viewer writing, say). HTTP 403. */
  Forbidden: 'FORBIDDEN',
  /** The request's Origin is not one the gateway allows. HTTP 403. */
  OriginRejected: 'ORIGIN_REJECTED',
  /** The HTTP body or WebSocket message is not valid JSON or does not match its schema. HTTP 400. */
  InvalidRequest: 'INVALID_REQUEST',
  /** A WebSocket text message whose `type` is unknown. */
  UnknownMessageType: 'UNKNOWN_MESSAGE_TYPE',
  /** A binary frame whose first byte is not a client frame type. */
  InvalidFrame: 'INVALID_FRAME',
  /** A message or body larger than the configured maximum. HTTP 413 / close 1009. */
  MessageTooLarge: 'MESSAGE_TOO_LARGE',
  /** No such route. HTTP 404. */
  NotFound: 'NOT_FOUND',
  /** No such session, or not one this credential may see. HTTP 404. */
  SessionNotFound: 'SESSION_NOT_FOUND',
  /** No such profile. HTTP 404. */
  ProfileNotFound: 'PROFILE_NOT_FOUND',
  /** Arguments sent for a profile without `allowArgs`. HTTP 400. */
  ArgsNotAllowed: 'ARGS_NOT_ALLOWED',
  /** A signal name outside the allowlist. HTTP 400. */
  InvalidSignal: 'INVALID_SIGNAL',
  /** An `ack` offset beyond what was sent, or behind an earlier ack; a bad `?offset=`. HTTP 400. */
  InvalidOffset: 'INVALID_OFFSET',
  /** The session's process has exited: no more input, signals or resizes. HTTP 409. */
  SessionExited: 'SESSION_EXITED',
  /** Input after `close-stdin`. HTTP 409. */
  StdinClosed: 'STDIN_CLOSED',
  /** `resize` on a pipe session. HTTP 409. */
  NotATerminal: 'NOT_A_TERMINAL',
  /** Too many sessions in total or for this token. HTTP 429. */
  SessionLimit: 'SESSION_LIMIT',
  /** Too many clients attached to this session. HTTP 429. */
  ClientLimit: 'CLIENT_LIMIT',
  /** Input faster than the configured rate, or too many failed logins. HTTP 429. */
  RateLimited: 'RATE_LIMITED',
  /** The process has not read the input already queued for it, up to the configured bound. */
  InputQueueFull: 'INPUT_QUEUE_FULL',
  /** The process could not be started (missing command, not executable, bad cwd). HTTP 500. */
  SpawnFailed: 'SPAWN_FAILED',
  /** A WebSocket handshake of a version other than 13 (RFC 6455). HTTP 426. */
  UnsupportedWebSocketVersion: 'UNSUPPORTED_WEBSOCKET_VERSION',
  /** No fleet node of that name (`POST /api/sessions` with `node`). HTTP 404. */
  NodeNotFound: 'NODE_NOT_FOUND',
  /** The session's node lost its lease: it cannot be reached (docs/fleet.md). HTTP 503. */
  NodeLost: 'NODE_LOST',
  /** Fleet mode: the shared database cannot be reached for a request that needs it. HTTP 503. */
  FleetUnavailable: 'FLEET_UNAVAILABLE',
  /** The gateway is shutting down. HTTP 503 / close 1001. */
  ShuttingDown: 'SHUTTING_DOWN',
  /** A share link (or its cookie) the gateway never issued, or with a wrong secret. HTTP 401. */
  ShareLinkInvalid: 'SHARE_LINK_INVALID',
  /** A share link past its expiry. HTTP 410. */
  ShareLinkExpired: 'SHARE_LINK_EXPIRED',
  /** A share link that was revoked. HTTP 410. */
  ShareLinkRevoked: 'SHARE_LINK_REVOKED',
  /** A bug. HTTP 500. */
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The HTTP status that goes with each error code. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ORIGIN_REJECTED: 403,
  INVALID_REQUEST: 400,
  UNKNOWN_MESSAGE_TYPE: 400,
  INVALID_FRAME: 400,
  MESSAGE_TOO_LARGE: 413,
  NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  PROFILE_NOT_FOUND: 404,
  ARGS_NOT_ALLOWED: 400,
  INVALID_SIGNAL: 400,
  INVALID_OFFSET: 400,
  SESSION_EXITED: 409,
  STDIN_CLOSED: 409,
  NOT_A_TERMINAL: 409,
  SESSION_LIMIT: 429,
  CLIENT_LIMIT: 429,
  RATE_LIMITED: 429,
  INPUT_QUEUE_FULL: 429,
  SPAWN_FAILED: 500,
  UNSUPPORTED_WEBSOCKET_VERSION: 426,
  NODE_NOT_FOUND: 404,
  NODE_LOST: 503,
  FLEET_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  SHARE_LINK_INVALID: 401,
  SHARE_LINK_EXPIRED: 410,
  SHARE_LINK_REVOKED: 410,
  INTERNAL: 500,
};

/** WebSocket close codes the gateway uses. 1xxx are RFC 6455's; 4xxx are shellgate's own. */
export const CloseCode = {
  /** The session's process exited and everything was sent (after `exit`). */
  Normal: 1000,
  /** The gateway is shutting down; the session is being terminated. */
  GoingAway: 1001,
  /** The client broke the protocol badly enough that the connection cannot continue. */
  ProtocolError: 1002,
  /** A message larger than the configured maximum. */
  MessageTooLarge: 1009,
  /** An unexpected server error. */
  InternalError: 1011,
  /** The session was removed (deleted, or its exit was kept long enough). Do not reconnect. */
  SessionGone: 4000,
  /** The credential was revoked or the cookie session logged out. */
  Unauthorized: 4001,
  /** The share link this stream was opened with expired or was revoked. Do not reconnect with it. */
  ShareEnded: 4003,
  /** No pong in time: the connection was considered dead and detached. */
  HeartbeatTimeout: 4008,
  /**
   * The client did not read what was sent to it: its unsent backlog passed
   * `limits.maxClientBacklogBytes`. Reconnect with the last offset once reading again.
   */
  ClientNotReading: 4009,
  /**
   * Fleet mode: the node that runs the session went away while this client was attached through
   * another node. Reconnect: the session is `lost` (503 NODE_LOST) unless its node comes back.
   */
  NodeLost: 4010,
  /** Input faster than the configured rate, repeatedly. */
  RateLimited: 4029,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** A protocol-level failure: a code from {@link ErrorCode} and a sentence naming what was wrong. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
