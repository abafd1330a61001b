// Every magic value of the wire protocol, in one place.

/** Protocol version carried in `hello` and in the WebSocket subprotocol name. */
export const PROTOCOL_VERSION = 1;

/** The WebSocket subprotocol a client must offer (`Sec-WebSocket-Protocol`). */
export const SUBPROTOCOL = 'shellgate.v1';

/** First byte of every binary frame: what the rest of the frame carries. */
export const FrameType = {
  /** client → server: bytes for the process's stdin */
  Stdin: 0x00,
  /** server → client: bytes the process wrote to stdout (all output of a PTY session) */
  Stdout: 0x01,
  /** server → client: bytes the process wrote to stderr */
  Stderr: 0x02,
  /**
   * server → client: the current terminal screen and scrollback of a PTY session, serialized as
   * escape sequences. Sent once, right after `hello` when `hello.snapshot` is true. Not counted in
   * stream offsets: it stands for every byte before `hello.offset`.
   */
  Snapshot: 0x03,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Signals a client may send, by name. Anything else is refused with `INVALID_SIGNAL`. */
export const SIGNALS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGKILL',
  'SIGSTOP',
  'SIGCONT',
  'SIGWINCH',
] as const;
export type SignalName = (typeof SIGNALS)[number];

/** Session modes: `pipe` keeps stdout and stderr apart; `pty` runs on a pseudo-terminal. */
export const MODES = ['pipe', 'pty'] as const;
export type SessionMode = (typeof MODES)[number];

/** Roles: an operator (`control`) may write and signal; a `view` client only watches. */
export const ROLES = ['control', 'view'] as const;
export type ClientRole = (typeof ROLES)[number];

/** Token roles in the gateway's configuration. A viewer token can only ever attach as `view`. */
export const TOKEN_ROLES = ['operator', 'viewer'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Session life cycle, driven by the server's state machine. */
export const SESSION_STATES = ['spawning', 'running', 'terminating', 'exited'] as const;
export type SessionState = (typeof SESSION_STATES)[number];
/**
 * What `SessionInfo.state` may say: a session's own state, or `lost` for a session of a fleet node
 * whose lease lapsed (docs/fleet.md) — its process may be gone, and nobody can reach it.
 */
export const SESSION_INFO_STATES = [...SESSION_STATES, 'lost'] as const;
export type SessionInfoState = (typeof SESSION_INFO_STATES)[number];

/** How far a termination had to escalate. `SIGHUP` happens only on PTY sessions. */
export const TERMINATE_STAGES = ['stdin', 'SIGHUP', 'SIGTERM', 'SIGKILL'] as const;
export type TerminateStage = (typeof TERMINATE_STAGES)[number];

/** Terminal size bounds accepted from clients (spawn requests and `resize`). */
export const TERMINAL_LIMITS = {
  minCols: 2,
  maxCols: 1000,
  minRows: 1,
  maxRows: 500,
  defaultCols: 80,
  defaultRows: 24,
} as const;

/** Bounds on request fields, independent of the gateway's configurable limits. */
export const REQUEST_LIMITS = {
  maxTokenLength: 1024,
  maxProfileNameLength: 64,
  maxArgs: 256,
  maxArgLength: 4096,
  maxGracePeriodMs: 60_000,
} as const;
