// Every limit of the gateway, named once with its default. docs/configuration.md explains each.
const KiB = 1024;
const MiB = 1024 * KiB;

export const DEFAULT_LIMITS = {
  /** Sessions held at once, running or exited-but-kept. The oldest exited one makes room first. */
  maxSessions: 100,
  /** Sessions one token may hold at once (same counting). */
  maxSessionsPerToken: 50,
  /** WebSocket clients attached to one session at once. */
  maxClientsPerSession: 8,
  /** Largest WebSocket message a client may send (bytes); larger closes the connection with 1009. */
  maxMessageBytes: 1 * MiB,
  /** Largest HTTP request body (bytes). */
  maxBodyBytes: 64 * KiB,
  /** Input accepted per session per second (bytes), with one second's worth of burst. */
  inputBytesPerSecond: 4 * MiB,
  /** Input queued for a process that has not read it yet (bytes); more is refused. */
  maxPendingInputBytes: 1 * MiB,
  /** Output kept per session for replay on reconnect (bytes, including per-chunk bookkeeping). */
  replayBufferBytes: 1 * MiB,
  /** Unacknowledged output the slowest control client may fall behind before the child is paused. */
  flowControlWindowBytes: 512 * KiB,
  /** Unacknowledged output a viewer may fall behind before it is skipped ahead with a `gap`. */
  viewerLagBytes: 512 * KiB,
  /**
   * Output and messages queued in the gateway for one client that its socket has not taken yet
   * (bytes). More means the client is not reading: it is disconnected (4009). Honest clients stay
   * far below: flow control and viewer lag bound what is in flight to a window or a replay.
   */
  maxClientBacklogBytes: 4 * MiB,
  /**
   * After the last control client goes away, the child is still held at its position this long, so
   * a dropped connection that comes back loses nothing; then it runs on (0: at once).
   */
  reconnectHoldMs: 30_000,
  /** A session with no client attached for this long is terminated (0: never). */
  idleTimeoutMs: 30 * 60_000,
  /** How long an exited session's status and final output stay available. */
  exitedSessionTtlMs: 5 * 60_000,
  /** Ping period; a connection that has not answered the previous ping is closed (4008). */
  heartbeatIntervalMs: 30_000,
  /** Default wait between termination stages (close stdin → SIGTERM → SIGKILL). */
  terminateGracePeriodMs: 2_000,
  /** How long a cookie login lasts. */
  loginTtlMs: 12 * 60 * 60_000,
  /** Failed logins and bearer authentications allowed per client address per minute. */
  loginFailuresPerMinute: 10,
} as const;

export type Limits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number };

/** The recording section's defaults (docs/recording.md). Recording itself is off by default. */
export const DEFAULT_RECORDING = {
  /** One recording's file never grows past this (bytes); then a marker, the exit, and no more. */
  maxBytesPerRecording: 64 * MiB,
  /** All recordings together; past it, the oldest finished ones are removed. */
  maxTotalBytes: 1024 * MiB,
  /**
   * Output waiting for the disk (bytes) beyond which a session's output is dropped from its
   * recording (and marked there) rather than held in memory or holding up the session. 16 MiB is
   * about 60 ms of a flood: on a busy 2-core machine a write waited up to 70 ms for a thread.
   */
  maxQueueBytes: 16 * MiB,
} as const;

/** The shares section's defaults (docs/sharing.md). */
export const DEFAULT_SHARES = {
  /** No link lives longer than this (seconds), whatever its creator asks: one day. */
  maxTtlSeconds: 24 * 60 * 60,
  /** Links to one session alive at once. */
  maxPerSession: 20,
} as const;
