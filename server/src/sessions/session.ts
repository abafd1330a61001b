// A session: one process, its output stream with offsets, and the clients attached to it.
//
//   spawning ──spawned──► running ──terminate()──► terminating ──exit──► exited ──ttl/DELETE──► (removed)
//      │                     └──────────────────exit────────────────────────┘
//      └──spawn failed──► (never registered: the request gets SPAWN_FAILED)
//
// This file is the control path: the state (one transition table), the requests (authorized and
// audited by actions.ts), termination, and the session's own timers (idle, expiry). The data path,
// output to the clients with flow control, is stream.ts; what stdin accepts is input-gate.ts; a
// PTY session's size and screen, terminal.ts; its recording, recording/. (About 380 lines: every
// request checks the state, and the requests, the transitions and termination read best side by
// side.)
import { CloseCode, ErrorCode, ProtocolError } from '@shellgate/shared';
import type {
  ClientRole,
  ExitStatus,
  SessionInfo,
  TerminalSize,
  SessionMode,
  SessionState,
  SignalName,
  TerminateStage,
} from '@shellgate/shared';
import type { Principal } from '../auth/principal.js';
import type { SessionContainment } from '../containment/index.js';
import type { Limits } from '../config/limits.js';
import type { Logger } from '../log/logger.js';
import type { SessionRecorder } from '../recording/recorder.js';
import type { Attachment, ClientSink } from './attachment.js';
import { pipeReadBytes, processErrorCode, spawnChild } from './child.js';
import type { SessionProcess } from './child.js';
import { InputGate, stdinClosedError } from './input-gate.js';
import { SessionStream } from './stream.js';
import { NamedTimers } from './timers.js';
import { SessionTerminal } from './terminal.js';

export interface SessionSpec {
  id: string;
  profile: string;
  argv: string[];
  mode: SessionMode;
  cwd: string | undefined;
  env: Record<string, string>;
  owner: Principal;
  /** Remote address of the request that created it (audit). */
  from: string | undefined;
  /** Initial terminal size of a PTY session. */
  size: TerminalSize;
  /** Whether a PTY session keeps a server-side screen for snapshots. */
  screen: boolean;
  /** Fleet mode: the name of this gateway in the fleet (`SessionInfo.node`). */
  node?: string | undefined;
}

/** What a session tells its owner (the registry) and uses of the gateway. */
export interface SessionContext {
  limits: Limits;
  logger: Logger;
  /** No client has been attached for limits.idleTimeoutMs: the owner terminates it. */
  idle(session: Session): void;
  /** The process exited and its last output was relayed. */
  exited(session: Session, status: ExitStatus): void;
  /** The exit was kept limits.exitedSessionTtlMs: the owner removes the session. */
  expire(session: Session): void;
  /** A recorder for the session once its process runs, or null when its profile does not record. */
  recorder?(session: Session): SessionRecorder | null;
  /** The keeper and cgroup its process starts under; none: only its process group or session. */
  containment?(): Promise<SessionContainment>;
  /** The state changed (the fleet's session directory follows it). */
  changed?(session: Session): void;
}

export type TerminateOutcome = ExitStatus & { stage: TerminateStage | null };

/** The state machine: every state and the states it may move to. */
const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  spawning: ['running'],
  running: ['terminating', 'exited'],
  terminating: ['exited'],
  exited: [],
};

export class Session {
  /** Starts the process; resolves once it runs, or rejects with SPAWN_FAILED. */
  static async start(spec: SessionSpec, context: SessionContext): Promise<Session> {
    const session = new Session(spec, context);
    const child = await spawnChild({
      argv: spec.argv,
      mode: spec.mode,
      cwd: spec.cwd,
      env: spec.env,
      size: spec.size,
      containment: await context.containment?.(),
      readBytes: pipeReadBytes(context.limits),
    });
    // Synchronously after the spawn resolved: no output can have been delivered yet.
    session.#run(child, spec.screen);
    return session;
  }

  readonly id: string;
  readonly profile: string;
  readonly argv: readonly string[];
  readonly mode: SessionMode;
  readonly owner: Principal;
  /** Remote address of the request that created it (audit). */
  readonly from: string | undefined;
  readonly node: string | undefined;
  /** When it started, ms since the epoch: a number, not a Date, which is ~100 bytes a session. */
  readonly #startedAtMs = Date.now();
  #state: SessionState = 'spawning';
  #child: SessionProcess | undefined;
  #exit: ExitStatus | null = null;
  #exitedAt: Date | null = null;
  #terminateStage: TerminateStage | null = null;
  #terminating: Promise<TerminateOutcome> | undefined;
  #removed = false;
  /** A PTY session's terminal: its size and screen (terminal.ts); null for pipe sessions. */
  readonly #terminal: SessionTerminal | null;
  /** The size it started with (what a recording's header says). */
  readonly initialSize: TerminalSize;
  /**
   * Its recording (recording/recorder.ts), or null. Every call on it only queues an event: the
   * recorder writes later and never holds up the session.
   */
  #recorder: SessionRecorder | null = null;
  readonly #stream: SessionStream;
  /** Every line it logs carries its id. */
  readonly #log: Logger;
  readonly #input: InputGate;
  readonly #timers = new NamedTimers<'idle' | 'expire'>();
  #exitSubscription: { dispose(): void } | undefined;
  /** Whether the exit was relayed (what `exited` waits for). */
  #exitRelayed = false;
  /** `exited`'s promise and its resolver, made when first asked for: most sessions never are. */
  #exitWaiter: { promise: Promise<void>; resolve: () => void } | undefined;

  private constructor(
    spec: SessionSpec,
    private readonly context: SessionContext,
  ) {
    this.id = spec.id;
    this.profile = spec.profile;
    // A copy V8 sizes exactly: the parsed request's array was grown entry by entry (~150 bytes more).
    this.argv = spec.argv.slice();
    this.mode = spec.mode;
    this.owner = spec.owner;
    this.from = spec.from;
    this.node = spec.node;
    this.#terminal =
      spec.mode === 'pty'
        ? new SessionTerminal(spec.size, (size) => {
            this.#recorder?.resize(size);
            this.#stream.broadcastInfo();
          })
        : null;
    this.initialSize = { ...spec.size };
    this.#input = new InputGate(context.limits);
    this.#log = context.logger.child({ session: this.id });
    this.#stream = new SessionStream(
      { id: this.id, info: () => this.info(), clientsChanged: (count) => this.#clientsChanged(count) },
      context.limits,
      this.#log,
    );
  }

  get startedAt(): Date {
    return new Date(this.#startedAtMs);
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Attached clients, including those still waiting for their snapshot. */
  /** Whether flow control holds the child's output back. */
  get paused(): boolean {
    return this.#stream.outputPaused;
  }

  get clientCount(): number {
    return this.#stream.clientCount;
  }

  /** Resolves once the process has exited and its last output was relayed. */
  get exited(): Promise<void> {
    if (this.#exitRelayed) return Promise.resolve();
    if (this.#exitWaiter === undefined) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((resolved) => (resolve = resolved));
      this.#exitWaiter = { promise, resolve };
    }
    return this.#exitWaiter.promise;
  }

  /** Output so far: the offset of the next output byte. */
  get outputBytes(): number {
    return this.#stream.outputBytes;
  }

  info(): SessionInfo {
    return {
      id: this.id,
      profile: this.profile,
      argv: [...this.argv],
      pid: this.#child?.pid ?? null,
      mode: this.mode,
      state: this.#state,
      startedAt: this.startedAt.toISOString(),
      exitedAt: this.#exitedAt?.toISOString() ?? null,
      exit: this.#exit,
      terminateStage: this.#terminateStage,
      size: this.#terminal?.size ?? null,
      outputBytes: this.outputBytes,
      clients: this.#stream.joinedCount,
      stdinOpen: this.#input.open && this.#state !== 'exited',
      owner: this.owner.name,
      ...(this.node === undefined ? {} : { node: this.node }),
    };
  }

  // ---- clients (the stream's) -------------------------------------------------------------------

  /** See SessionStream.attach: `hello`, then what the client has not seen, then live output. */
  attach(
    sink: ClientSink,
    role: ClientRole,
    offset: number | null,
    inputSeq: number | null = null,
  ): Attachment {
    this.#timers.clear('idle');
    return this.#stream.attach(sink, role, offset, inputSeq);
  }

  detach(attachment: Attachment): void {
    this.#stream.detach(attachment);
    if (this.#state !== 'exited') this.#terminal?.left(attachment);
  }

  /** The client processed everything before `offset`. */
  ack(attachment: Attachment, offset: number): void {
    this.#stream.ack(attachment, offset);
  }

  // ---- requests (authorized and audited by actions.ts) -----------------------------------------

  /** Bytes for stdin, within the session's input rate; typing makes `from` the size's owner. */
  write(data: Uint8Array, from?: Attachment): void {
    const child = this.#requireRunning('write to');
    this.#input.admit(data.length, child.pendingInputBytes);
    if (data.length === 0) return;
    if (from !== undefined) this.#terminal?.typed(from);
    try {
      child.write(data);
      this.#stream.recordInput(data);
      if (this.#recorder?.recordsInput === true) {
        // Output gathered before the input goes before it in the recording too.
        this.#stream.flush();
        this.#recorder.input(data);
      }
      this.#stream.answering();
    } catch (error) {
      if (processErrorCode(error) === 'ESTDIN_CLOSED') throw stdinClosedError();
      throw error;
    }
  }

  closeInput(): void {
    const child = this.#requireRunning('close the stdin of');
    if (!this.#input.close()) return;
    child.closeInput();
    this.#stream.broadcastInfo();
  }

  /**
   * Sends an allow-listed signal: a pipe session's to its process group, a PTY session's to the
   * terminal's foreground job (as the terminal's own keys do), so STOP stops the running command,
   * not the shell waiting for it.
   */
  signal(signal: SignalName, by?: string): void {
    const child = this.#requireRunning('signal');
    try {
      if (child.mode === 'pty') child.signalForeground(signal);
      else child.kill(signal);
    } catch (error) {
      if (processErrorCode(error) === 'ECHILD') throw this.#exitedError('signal');
      throw error;
    }
    this.#recorder?.marker(by === undefined ? `signal ${signal}` : `signal ${signal} by ${by}`);
  }

  /** Resizes a PTY session's terminal; a stream client's resize is its window's (window-size.ts). */
  resize(cols: number, rows: number, from?: Attachment): void {
    const child = this.#requireRunning('resize');
    if (child.mode !== 'pty') {
      throw new ProtocolError(
        ErrorCode.NotATerminal,
        `session ${this.id} is a pipe session: it has no terminal to resize`,
      );
    }
    this.#terminal?.resize({ cols, rows }, from);
  }

  /**
   * Terminates with escalation (close stdin → SIGTERM → SIGKILL, each after the grace period),
   * telling clients each stage. Resolves with the exit status once the last output was relayed.
   * Calls while one runs share it; on an exited session it resolves at once.
   */
  terminate(gracePeriodMs: number): Promise<TerminateOutcome> {
    const child = this.#child;
    if (this.#state === 'exited' || child === undefined) {
      const exit = this.#exit ?? { code: null, signal: null };
      return Promise.resolve({ ...exit, stage: this.#terminateStage });
    }
    this.#terminating ??= (async () => {
      this.#transition('terminating');
      const result = await child.terminate({
        gracePeriodMs,
        onStage: (stage) => {
          this.#terminateStage = stage;
          this.#stream.broadcast({ type: 'terminating', stage });
          this.#recorder?.marker(`terminate: ${stage}`);
          this.#log.debug('terminate stage', { stage });
        },
      });
      await this.exited;
      return { code: result.code, signal: result.signal, stage: result.stage };
    })();
    return this.#terminating;
  }

  /** Forgets the session: closes every client with 4000 (SessionGone). Only once it has exited. */
  remove(code: number = CloseCode.SessionGone, reason = 'session removed'): void {
    if (this.#removed) return;
    this.#removed = true;
    this.#timers.clearAll();
    this.#exitSubscription?.dispose();
    // Removal is for exited sessions; should a running one get here, it does not outlive it.
    if (this.#state !== 'exited') {
      try {
        this.#child?.kill('SIGKILL');
      } catch {
        // It exited meanwhile (ECHILD): nothing left to kill.
      }
    }
    this.#stream.close(code, reason);
    this.#terminal?.close();
    // Normally closed by the exit already; a session removed without one still closes its file.
    this.#recorder?.close();
  }

  // ---- the process ------------------------------------------------------------------------------

  #run(child: SessionProcess, trackScreen: boolean): void {
    this.#child = child;
    this.#transition('running');
    if (child.mode === 'pty') this.#terminal?.start(child, trackScreen);
    // Before the stream starts: the recording sees the first output byte.
    this.#recorder = this.context.recorder?.(this) ?? null;
    this.#stream.start(child, this.#terminal?.screen ?? null, this.#recorder);
    this.#exitSubscription = child.onExit((status) => this.#onExit(status));
    this.#armIdleTimer();
  }

  #onExit(status: ExitStatus): void {
    this.#stream.flush(); // the last output goes before `exit`
    this.#exit = { code: status.code, signal: status.signal };
    this.#recorder?.exit(this.#exit); // its last event; the file is closed once written
    this.#exitedAt = new Date();
    this.#transition('exited');
    this.#stream.ended(this.#exit);
    this.context.exited(this, this.#exit);
    this.#exitRelayed = true;
    this.#exitWaiter?.resolve();
    if (!this.#removed) {
      this.#timers.set('expire', this.context.limits.exitedSessionTtlMs, () => this.context.expire(this));
    }
  }

  /** A session nobody is attached to is terminated after limits.idleTimeoutMs. */
  #clientsChanged(count: number): void {
    if (count > 0) this.#timers.clear('idle');
    else this.#armIdleTimer();
  }

  #armIdleTimer(): void {
    const idleMs = this.context.limits.idleTimeoutMs;
    if (idleMs === 0 || this.#state === 'exited') return;
    this.#timers.set('idle', idleMs, () => this.context.idle(this));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  #transition(to: SessionState): void {
    const from = this.#state;
    if (from === to) return;
    if (!TRANSITIONS[from].includes(to)) throw new Error(`session ${this.id}: no transition ${from} → ${to}`);
    this.#state = to;
    if (to === 'exited') this.#timers.clear('idle');
    this.#stream.broadcastInfo();
    this.context.changed?.(this);
  }

  #requireRunning(action: string): SessionProcess {
    if (this.#state === 'exited' || this.#child === undefined) throw this.#exitedError(action);
    return this.#child;
  }

  #exitedError(action: string): ProtocolError {
    return new ProtocolError(
      ErrorCode.SessionExited,
      `cannot ${action} session ${this.id}: its process has exited`,
    );
  }
}
