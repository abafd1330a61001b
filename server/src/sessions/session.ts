// A session: one process, its output stream with offsets, and the clients attached to it.
//
//   spawning ──spawned──► running ──terminate()──► terminating ──exit──► exited ──ttl/DELETE──► (removed)
//      │                     └──────────────────exit────────────────────────┘
//      └──spawn failed──► (never registered: the request gets SPAWN_FAILED)
//
// Output flows child → coalescer → replay buffer (and the screen tracker of a PTY session) → every
// attached client (fanout.ts), tagged by stream and counted in one offset. When the child is paused
// and how far each client is sent ahead is decided in flow-control.ts; what stdin accepts in
// input-gate.ts. This file owns the state (one transition table), every timer and every
// subscription to the process, and disposes of them all when it is removed.
//
// PTY sessions also feed a screen tracker (a headless terminal in a worker thread). A client
// attaching without an offset, or from one that has left the replay buffer, is sent the current
// screen as a snapshot instead of a replay that could start inside an escape sequence.
import {
  CloseCode,
  ErrorCode,
  FrameType,
  PROTOCOL_VERSION,
  ProtocolError,
  encodeFrame,
} from '@shellgate/shared';
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
import type { Limits } from '../config/limits.js';
import type { Logger } from '../log/logger.js';
import { ScreenTracker } from '../screen/index.js';
import { Attachment } from './attachment.js';
import type { ClientSink } from './attachment.js';
import { processErrorCode, spawnChild } from './child.js';
import type { SessionProcess } from './child.js';
import { OutputCoalescer } from './coalescer.js';
import { Fanout } from './fanout.js';
import { FlowControl, slowestControlFloor } from './flow-control.js';
import { InputGate, stdinClosedError } from './input-gate.js';
import { ReplayBuffer } from './replay.js';
import { NamedTimers } from './timers.js';

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
}

export type TerminateOutcome = ExitStatus & { stage: TerminateStage | null };

/** The state machine: every state and the states it may move to. */
const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  spawning: ['running'],
  running: ['terminating', 'exited'],
  terminating: ['exited'],
  exited: [],
};

type TimerName = 'idle' | 'reconnect-hold' | 'expire' | 'paused-watch';

const textEncoder = new TextEncoder();
/** How often flow control is re-checked while the child is paused. */
const PAUSED_WATCH_MS = 250;

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
    });
    // Synchronously after the spawn resolved: no output can have been delivered yet.
    session.#run(child);
    return session;
  }

  readonly id: string;
  readonly profile: string;
  readonly argv: readonly string[];
  readonly mode: SessionMode;
  readonly owner: Principal;
  /** Remote address of the request that created it (audit). */
  readonly from: string | undefined;
  readonly startedAt = new Date();
  #state: SessionState = 'spawning';
  #child: SessionProcess | undefined;
  #exit: ExitStatus | null = null;
  #exitedAt: Date | null = null;
  #terminateStage: TerminateStage | null = null;
  #terminating: Promise<TerminateOutcome> | undefined;
  #removed = false;
  /** Terminal size of a PTY session (the latest resize from any control client wins). */
  #size: TerminalSize | null;
  readonly #trackScreen: boolean;
  /** The PTY session's screen, for snapshots on attach; null for pipe sessions. */
  #screen: ScreenTracker | null = null;
  readonly #replay: ReplayBuffer;
  readonly #fanout: Fanout;
  readonly #flow: FlowControl;
  readonly #input: InputGate;
  readonly #output = new OutputCoalescer((type, data) => this.#relay(type, data));
  readonly #timers = new NamedTimers<TimerName>();
  /** Subscriptions to the process and the screen, ended on removal. */
  readonly #subscriptions: Array<{ dispose(): void }> = [];
  readonly #exited: Promise<void>;
  #resolveExited: () => void = () => undefined;

  private constructor(
    spec: SessionSpec,
    private readonly context: SessionContext,
  ) {
    this.id = spec.id;
    this.profile = spec.profile;
    this.argv = spec.argv;
    this.mode = spec.mode;
    this.owner = spec.owner;
    this.from = spec.from;
    const { limits } = context;
    const flowLimits = { windowBytes: limits.flowControlWindowBytes, viewerLagBytes: limits.viewerLagBytes };
    this.#replay = new ReplayBuffer(limits.replayBufferBytes);
    this.#fanout = new Fanout(this.#replay, flowLimits);
    this.#flow = new FlowControl(flowLimits);
    this.#input = new InputGate(limits);
    this.#exited = new Promise((resolve) => (this.#resolveExited = resolve));
    this.#size = spec.mode === 'pty' ? { ...spec.size } : null;
    this.#trackScreen = spec.screen;
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Attached clients, including those still waiting for their snapshot. */
  get clientCount(): number {
    return this.#fanout.size;
  }

  /** Resolves once the process has exited and its last output was relayed. */
  get exited(): Promise<void> {
    return this.#exited;
  }

  /** Output so far: the offset of the next output byte. */
  get outputBytes(): number {
    return this.#replay.end;
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
      size: this.#size === null ? null : { ...this.#size },
      outputBytes: this.outputBytes,
      clients: this.#fanout.joined.size,
      stdinOpen: this.#input.open && this.#state !== 'exited',
      owner: this.owner.name,
    };
  }

  // ---- clients ----------------------------------------------------------------------------------

  /**
   * Attaches a client: `hello`, then what it has not seen, then live output (and `exit` if it is
   * over). From `offset` (≤ outputBytes; the caller checked) when it is still in the replay buffer:
   * a `gap` first if not. A PTY session instead starts a client without a replayable offset from a
   * snapshot of its screen.
   */
  attach(sink: ClientSink, role: ClientRole, offset: number | null): Attachment {
    this.#timers.clear('idle');
    const screen = this.#screen;
    if (screen === null || (offset !== null && offset >= this.#replay.start)) {
      const attachment = new Attachment(sink, role, offset ?? 0);
      this.#fanout.beginJoin(attachment);
      this.#join(attachment, null);
      return attachment;
    }
    // The snapshot stands for every byte so far; the stream continues from there.
    const attachment = new Attachment(sink, role, this.#replay.end);
    this.#fanout.beginJoin(attachment);
    screen.snapshot().then(
      (snapshot) => this.#join(attachment, snapshot.data),
      (error: unknown) => {
        this.context.logger.warn('screen snapshot failed; replaying bytes', { session: this.id, error });
        // The bytes instead, from where the client asked (a `gap` first if they are gone).
        attachment.rewind(offset ?? 0);
        this.#join(attachment, null);
      },
    );
    return attachment;
  }

  detach(attachment: Attachment): void {
    const was = this.#fanout.leave(attachment);
    if (was === 'joined') {
      if (attachment.role === 'control') this.#controlLeft(attachment);
      this.#updateFlow();
      this.#broadcastInfo();
    }
    if (was !== null && this.clientCount === 0) this.#armIdleTimer();
  }

  /** The client processed everything before `offset`. */
  ack(attachment: Attachment, offset: number): void {
    if (offset > attachment.sent) {
      throw new ProtocolError(
        ErrorCode.InvalidOffset,
        `ack offset ${offset} is beyond the ${attachment.sent} bytes sent to this client`,
      );
    }
    if (offset < attachment.acked) {
      throw new ProtocolError(
        ErrorCode.InvalidOffset,
        `ack offset ${offset} is behind an earlier ack of ${attachment.acked}`,
      );
    }
    attachment.acked = offset;
    this.#fanout.acknowledged(attachment);
    if (attachment.role === 'control') this.#updateFlow();
  }

  // ---- requests (authorized and audited by actions.ts) -----------------------------------------

  /** Bytes for stdin, within the session's input rate. */
  write(data: Uint8Array): void {
    const child = this.#requireRunning('write to');
    this.#input.admit(data.length, child.pendingInputBytes);
    if (data.length === 0) return;
    try {
      child.write(data);
      this.#output.answering();
    } catch (error) {
      if (processErrorCode(error) === 'ESTDIN_CLOSED') throw stdinClosedError();
      throw error;
    }
  }

  closeInput(): void {
    const child = this.#requireRunning('close the stdin of');
    if (!this.#input.close()) return;
    child.closeInput();
    this.#broadcastInfo();
  }

  /** Sends an allow-listed signal to the session's process group. */
  signal(signal: SignalName): void {
    const child = this.#requireRunning('signal');
    try {
      child.kill(signal);
    } catch (error) {
      if (processErrorCode(error) === 'ECHILD') throw this.#exitedError('signal');
      throw error;
    }
  }

  /** Resizes a PTY session's terminal. With several clients, the latest resize wins. */
  resize(cols: number, rows: number): void {
    const child = this.#requireRunning('resize');
    if (child.mode !== 'pty') {
      throw new ProtocolError(
        ErrorCode.NotATerminal,
        `session ${this.id} is a pipe session: it has no terminal to resize`,
      );
    }
    if (this.#size?.cols === cols && this.#size.rows === rows) return;
    child.resize(cols, rows);
    this.#screen?.resize(cols, rows);
    this.#size = { cols, rows };
    this.#broadcastInfo();
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
          this.#fanout.broadcast({ type: 'terminating', stage });
          this.context.logger.debug('terminate stage', { session: this.id, stage });
        },
      });
      await this.#exited;
      return { code: result.code, signal: result.signal, stage: result.stage };
    })();
    return this.#terminating;
  }

  /** Forgets the session: closes every client with 4000 (SessionGone). Only once it has exited. */
  remove(code: number = CloseCode.SessionGone, reason = 'session removed'): void {
    if (this.#removed) return;
    this.#removed = true;
    this.#timers.clearAll();
    for (const subscription of this.#subscriptions.splice(0)) subscription.dispose();
    // Removal is for exited sessions; should a running one get here, it does not outlive it.
    if (this.#state !== 'exited') {
      try {
        this.#child?.kill('SIGKILL');
      } catch {
        // It exited meanwhile (ECHILD): nothing left to kill.
      }
    }
    this.#fanout.closeAll(code, reason);
    this.#output.dispose();
    this.#replay.clear();
    this.#screen?.close();
  }

  // ---- the process ------------------------------------------------------------------------------

  #run(child: SessionProcess): void {
    this.#child = child;
    this.#transition('running');
    if (child.mode === 'pty' && this.#size !== null && this.#trackScreen) {
      const screen = new ScreenTracker({ cols: this.#size.cols, rows: this.#size.rows });
      // The worker's parsing counts in the flow-control window: resume once it has caught up.
      this.#subscriptions.push(
        screen.onParsed(() => {
          if (this.#flow.paused) this.#updateFlow();
        }),
      );
      this.#screen = screen;
    }
    this.#subscriptions.push(
      child.onOutput((chunk) => {
        if (chunk.data.length === 0 || this.#removed) return;
        this.#output.push(chunk.stream === 'stdout' ? FrameType.Stdout : FrameType.Stderr, chunk.data);
      }),
      child.onExit((status) => this.#onExit(status)),
    );
    this.#armIdleTimer();
  }

  #relay(type: FrameType, data: Buffer): void {
    const start = this.#replay.end;
    this.#screen?.write(data);
    const frame = this.#replay.append(type, data);
    this.#fanout.relay(frame, start, this.#replay.end);
    this.#updateFlow();
  }

  #onExit(status: ExitStatus): void {
    this.#output.flush(); // the last output goes before `exit`
    this.#exit = { code: status.code, signal: status.signal };
    this.#exitedAt = new Date();
    this.#flow.processExited();
    this.#transition('exited');
    this.#fanout.exited(this.#exit);
    this.context.exited(this, this.#exit);
    this.#resolveExited();
    if (!this.#removed) {
      this.#timers.set('expire', this.context.limits.exitedSessionTtlMs, () => this.context.expire(this));
    }
  }

  /** Pauses the child while the slowest control client is more than a window behind. */
  #updateFlow(): void {
    const child = this.#child;
    if (child === undefined || this.#state === 'exited') return;
    const decision = this.#flow.decide({
      controlFloor: slowestControlFloor(this.#fanout.joined),
      replayEnd: this.#replay.end,
      replayOverBudget: this.#replay.overBudget,
      screenBacklog: this.#screen?.backlogBytes ?? 0,
      processGone: child.poll() !== null,
    });
    this.#replay.pin(decision.pinFrom);
    if (decision.pause === true) child.pauseOutput();
    if (decision.pause === false) child.resumeOutput();
    // A paused child may exit without any client acting: look again now and then while paused.
    if (!this.#flow.paused) this.#timers.clear('paused-watch');
    else if (!this.#timers.has('paused-watch'))
      this.#timers.set('paused-watch', PAUSED_WATCH_MS, () => this.#updateFlow());
  }

  /** Sends `hello` (and the snapshot, if any) and joins the live stream. */
  #join(attachment: Attachment, snapshot: string | null): void {
    if (this.#removed || !this.#fanout.join(attachment)) return;
    this.#timers.clear('idle');
    if (attachment.role === 'control') {
      this.#flow.controlJoined();
      this.#timers.clear('reconnect-hold');
    }
    attachment.sink.sendMessage({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      session: this.info(),
      role: attachment.role,
      offset: attachment.sent,
      snapshot: snapshot !== null,
    });
    if (snapshot !== null)
      attachment.sink.sendFrame(encodeFrame(FrameType.Snapshot, textEncoder.encode(snapshot)));
    this.#fanout.pump(attachment);
    this.#broadcastInfo(attachment);
    this.#updateFlow();
  }

  /**
   * A dropped connection is usually back within seconds: when the last control client leaves, keep
   * holding the child at its position for a while, then let it run on (like a detached tmux).
   */
  #controlLeft(attachment: Attachment): void {
    const lastOne = !this.#fanout.hasControl();
    const holdMs = this.context.limits.reconnectHoldMs;
    const hold = lastOne && holdMs > 0 && this.#state !== 'exited';
    this.#flow.controlLeft(attachment.floor, lastOne, hold);
    if (!lastOne) return;
    if (!hold) this.#timers.clear('reconnect-hold');
    else
      this.#timers.set('reconnect-hold', holdMs, () => {
        this.#flow.holdExpired();
        this.#updateFlow();
      });
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
    // An exited session has nothing left to wait for but its expiry.
    if (to === 'exited')
      for (const name of ['idle', 'reconnect-hold', 'paused-watch'] as const) this.#timers.clear(name);
    this.#broadcastInfo();
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

  #broadcastInfo(except?: Attachment): void {
    if (this.#fanout.joined.size === 0) return;
    this.#fanout.broadcast({ type: 'session', session: this.info() }, except);
  }
}
