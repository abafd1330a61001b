// A session: one process, its output stream with offsets, and the clients attached to it.
//
//   spawning ──spawned──► running ──terminate()──► terminating ──exit──► exited ──ttl/DELETE──► (removed)
//      │                     └──────────────────exit────────────────────────┘
//      └──spawn failed──► (never registered: the request gets SPAWN_FAILED)
//
// Output flows child → replay buffer → every attached client, tagged by stream and counted in one
// offset. The child is paused when the slowest control client is more than a window behind;
// viewers never hold it back: a lagging viewer stops receiving and later resumes, with a `gap`
// when what it missed has left the replay buffer.
//
// Output a held-for control client has not acknowledged stays in the replay buffer (pinned) while
// the child waits. The child is held for control clients while any is attached, before the first
// one attaches (so a client attaching right after creating the session sees the start), and for
// limits.reconnectHoldMs after the last one left (so a dropped connection resumes without loss).
// After that a session without control clients keeps running (like a detached tmux): the replay
// buffer keeps the latest output and a client reattaching from further back gets a `gap`.
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
  ServerMessage,
  SessionInfo,
  TerminalSize,
  SessionMode,
  SessionState,
  SignalName,
  TerminateStage,
} from '@shellgate/shared';
import type { Principal } from '../auth/principal.js';
import type { Limits } from '../config/limits.js';
import type { Audit } from '../log/audit.js';
import type { Logger } from '../log/logger.js';
import { Attachment } from './attachment.js';
import type { ClientSink } from './attachment.js';
import { processErrorCode, spawnChild } from './child.js';
import type { SessionProcess } from './child.js';
import { TokenBucket } from './rate.js';
import { OutputCoalescer } from './coalescer.js';
import { ReplayBuffer } from './replay.js';
import { ScreenTracker } from '../screen/index.js';

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

export interface SessionContext {
  limits: Limits;
  logger: Logger;
  audit: Audit;
  /** The session asks to be removed (its exit was kept long enough). */
  expire(session: Session): void;
}

const textEncoder = new TextEncoder();
/** How often flow control is re-checked while the child is paused. */
const PAUSED_WATCH_MS = 250;

export type TerminateOutcome = ExitStatus & { stage: TerminateStage | null };

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
  readonly startedAt = new Date();
  #state: SessionState = 'spawning';
  #child: SessionProcess | undefined;
  #pid: number | null = null;
  #exit: ExitStatus | null = null;
  #exitedAt: Date | null = null;
  #terminateStage: TerminateStage | null = null;
  #terminating: Promise<TerminateOutcome> | undefined;
  #stdinOpen = true;
  #paused = false;
  /**
   * The slowest control client's acknowledged offset: the flow-control floor, kept while no
   * control client is attached (before the first, and during a reconnect hold).
   */
  #controlFloor = 0;
  /** Whether a control client has ever attached: until then the child is held at one window. */
  #everControlled = false;
  /** After the last control client went away: the child is held for it until this timer fires. */
  #reconnectHold: NodeJS.Timeout | undefined;
  /** While the child is paused: re-checks flow control, so an exit or a terminate is not missed. */
  #pausedWatch: NodeJS.Timeout | undefined;
  /** Terminal size of a PTY session (the latest resize from any control client wins). */
  #size: TerminalSize | null;
  readonly #trackScreen: boolean;
  /** The PTY session's screen, for snapshots on attach; null for pipe sessions. */
  #screen: ScreenTracker | null = null;
  /** Clients attached but not yet sent `hello` (waiting for their snapshot): nothing else yet. */
  readonly #joining = new Set<Attachment>();
  readonly #output = new OutputCoalescer((type, data) => this.#relay(type, data));
  #removed = false;
  readonly #attachments = new Set<Attachment>();
  readonly #replay: ReplayBuffer;
  readonly #input: TokenBucket;
  readonly #context: SessionContext;
  readonly #from: string | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #expireTimer: NodeJS.Timeout | undefined;
  #exited: Promise<void>;
  #resolveExited: () => void = () => undefined;

  private constructor(spec: SessionSpec, context: SessionContext) {
    this.id = spec.id;
    this.profile = spec.profile;
    this.argv = spec.argv;
    this.mode = spec.mode;
    this.owner = spec.owner;
    this.#from = spec.from;
    this.#context = context;
    this.#replay = new ReplayBuffer(context.limits.replayBufferBytes);
    this.#input = new TokenBucket(context.limits.inputBytesPerSecond);
    this.#exited = new Promise((resolve) => (this.#resolveExited = resolve));
    this.#size = spec.mode === 'pty' ? { ...spec.size } : null;
    this.#trackScreen = spec.screen;
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Attached clients, including those still waiting for their snapshot. */
  get clientCount(): number {
    return this.#attachments.size + this.#joining.size;
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
      pid: this.#pid,
      mode: this.mode,
      state: this.#state,
      startedAt: this.startedAt.toISOString(),
      exitedAt: this.#exitedAt?.toISOString() ?? null,
      exit: this.#exit,
      terminateStage: this.#terminateStage,
      size: this.#size === null ? null : { ...this.#size },
      outputBytes: this.outputBytes,
      clients: this.#attachments.size,
      stdinOpen: this.#stdinOpen && this.#state !== 'exited',
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
    this.#clearIdleTimer();
    const screen = this.#screen;
    if (screen !== null && (offset === null || offset < this.#replay.start)) {
      // The snapshot stands for every byte so far; the stream continues from there.
      const attachment = new Attachment(sink, role, this.#replay.end);
      this.#joining.add(attachment);
      screen.snapshot().then(
        (snapshot) => this.#start(attachment, snapshot.data),
        (error: unknown) => {
          this.#context.logger.warn('screen snapshot failed; replaying bytes', { session: this.id, error });
          // The bytes instead, from where the client asked (a `gap` first if they are gone).
          const from = offset ?? 0;
          attachment.sent = from;
          attachment.acked = from;
          attachment.skippedTo = from;
          this.#start(attachment, null);
        },
      );
      return attachment;
    }
    const attachment = new Attachment(sink, role, offset ?? 0);
    this.#joining.add(attachment);
    this.#start(attachment, null);
    return attachment;
  }

  /** Sends `hello` (and the snapshot, if any) and joins the live stream. */
  #start(attachment: Attachment, snapshot: string | null): void {
    if (!this.#joining.delete(attachment) || this.#removed) return;
    this.#attachments.add(attachment);
    this.#clearIdleTimer();
    if (attachment.role === 'control') {
      this.#everControlled = true;
      clearTimeout(this.#reconnectHold);
      this.#reconnectHold = undefined;
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
    this.#pump(attachment);
    this.#broadcastInfo(attachment);
    this.#updateFlow();
  }

  detach(attachment: Attachment): void {
    if (this.#joining.delete(attachment) && this.clientCount === 0) this.#armIdleTimer();
    if (!this.#attachments.delete(attachment)) return;
    if (attachment.role === 'control') {
      this.#controlFloor = Math.min(this.#controlFloor, attachment.floor);
      if (!this.#hasControl()) this.#holdForReconnect();
    }
    this.#updateFlow();
    this.#broadcastInfo();
    if (this.clientCount === 0) this.#armIdleTimer();
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
    if (attachment.lagging && attachment.unacked <= this.#context.limits.viewerLagBytes / 2) {
      attachment.lagging = false;
      this.#pump(attachment);
    }
    if (attachment.role === 'control') this.#updateFlow();
  }

  // ---- requests ---------------------------------------------------------------------------------

  /** Bytes for stdin, within the session's input rate. */
  write(data: Uint8Array): void {
    const child = this.#requireRunning('write to');
    if (!this.#stdinOpen)
      throw new ProtocolError(ErrorCode.StdinClosed, 'stdin was closed: no more input is accepted');
    if (data.length === 0) return;
    const queued = child.pendingInputBytes;
    const maxQueued = this.#context.limits.maxPendingInputBytes;
    if (queued + data.length > maxQueued) {
      throw new ProtocolError(
        ErrorCode.InputQueueFull,
        `the process has not read the ${queued} bytes of input already queued for it (limits.maxPendingInputBytes is ${maxQueued}): ${data.length} bytes refused`,
      );
    }
    if (!this.#input.take(data.length)) {
      throw new ProtocolError(
        ErrorCode.RateLimited,
        `input faster than ${this.#context.limits.inputBytesPerSecond} bytes per second: ${data.length} bytes dropped`,
      );
    }
    try {
      child.write(data);
      this.#output.answering();
    } catch (error) {
      if (processErrorCode(error) === 'ESTDIN_CLOSED') {
        throw new ProtocolError(ErrorCode.StdinClosed, 'stdin was closed: no more input is accepted');
      }
      throw error;
    }
  }

  closeInput(): void {
    const child = this.#requireRunning('close the stdin of');
    if (!this.#stdinOpen) return;
    this.#stdinOpen = false;
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
      this.#setState('terminating');
      const result = await child.terminate({
        gracePeriodMs,
        onStage: (stage) => {
          this.#terminateStage = stage;
          this.#broadcast({ type: 'terminating', stage });
          this.#context.logger.debug('terminate stage', { session: this.id, stage });
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
    this.#clearIdleTimer();
    clearTimeout(this.#expireTimer);
    clearTimeout(this.#reconnectHold);
    clearInterval(this.#pausedWatch);
    // Removal is for exited sessions; should a running one get here, it does not outlive it.
    if (this.#state !== 'exited') {
      try {
        this.#child?.kill('SIGKILL');
      } catch {
        // It exited meanwhile (ECHILD): nothing left to kill.
      }
    }
    for (const attachment of [...this.#attachments, ...this.#joining]) {
      attachment.sink.close(code, reason);
    }
    this.#attachments.clear();
    this.#joining.clear();
    this.#output.dispose();
    this.#replay.clear();
    this.#screen?.close();
  }

  // ---- the process ------------------------------------------------------------------------------

  #run(child: SessionProcess): void {
    this.#child = child;
    this.#pid = child.pid;
    this.#state = 'running';
    if (child.mode === 'pty' && this.#size !== null && this.#trackScreen) {
      const screen = new ScreenTracker({ cols: this.#size.cols, rows: this.#size.rows });
      // The worker's parsing counts in the flow-control window: resume once it has caught up.
      screen.onParsed(() => {
        if (this.#paused) this.#updateFlow();
      });
      this.#screen = screen;
    }
    child.onOutput((chunk) => {
      if (chunk.data.length === 0 || this.#removed) return;
      this.#output.push(chunk.stream === 'stdout' ? FrameType.Stdout : FrameType.Stderr, chunk.data);
    });
    child.onExit((status) => this.#onExit(status));
    this.#armIdleTimer();
  }

  #relay(type: FrameType, data: Buffer): void {
    const start = this.#replay.end;
    this.#screen?.write(data);
    const frame = this.#replay.append(type, data);
    const end = this.#replay.end;
    const viewerLag = this.#context.limits.viewerLagBytes;
    for (const attachment of this.#attachments) {
      if (attachment.lagging) continue;
      if (attachment.sent === start) {
        attachment.sink.sendFrame(frame);
        attachment.sent = end;
        if (attachment.role === 'view' && attachment.unacked >= viewerLag) attachment.lagging = true;
      } else {
        this.#pump(attachment);
      }
    }
    this.#updateFlow();
  }

  #onExit(status: ExitStatus): void {
    this.#output.flush(); // the last output goes before `exit`
    this.#exit = { code: status.code, signal: status.signal };
    this.#exitedAt = new Date();
    this.#clearIdleTimer();
    clearTimeout(this.#reconnectHold);
    this.#reconnectHold = undefined;
    clearInterval(this.#pausedWatch);
    this.#pausedWatch = undefined;
    if (this.#paused) this.#paused = false;
    this.#setState('exited');
    this.#context.audit.record('exit', {
      who: this.owner.name,
      from: this.#from,
      session: this.id,
      code: status.code,
      signal: status.signal,
      terminateStage: this.#terminateStage,
      outputBytes: this.#replay.end,
    });
    for (const attachment of this.#attachments) this.#pump(attachment);
    this.#resolveExited();
    if (!this.#removed) {
      this.#expireTimer = setTimeout(
        () => this.#context.expire(this),
        this.#context.limits.exitedSessionTtlMs,
      );
      this.#expireTimer.unref();
    }
  }

  /** Sends `attachment` what it has not had yet, as far as its lag allows; then `exit` if due. */
  #pump(attachment: Attachment): void {
    const viewer = attachment.role === 'view';
    const limit = this.#context.limits.viewerLagBytes;
    while (attachment.sent < this.#replay.end) {
      const budget = viewer ? limit - attachment.unacked : Number.POSITIVE_INFINITY;
      if (budget <= 0) {
        attachment.lagging = true;
        return;
      }
      if (attachment.sent < this.#replay.start) {
        attachment.sink.sendMessage({ type: 'gap', from: attachment.sent, to: this.#replay.start });
        attachment.sent = this.#replay.start;
        attachment.skippedTo = this.#replay.start;
        continue;
      }
      for (const slice of this.#replay.slice(attachment.sent, budget)) {
        attachment.sink.sendFrame(slice.frame);
        attachment.sent += slice.length;
      }
    }
    attachment.lagging = false;
    const exit = this.#exit;
    if (exit !== null && !attachment.exitSent) {
      attachment.exitSent = true;
      attachment.sink.sendMessage({ type: 'exit', code: exit.code, signal: exit.signal });
    }
  }

  /** Pauses the child while the slowest control client is more than a window behind. */
  #updateFlow(): void {
    const child = this.#child;
    if (child === undefined || this.#state === 'exited') return;
    let floor: number | undefined;
    for (const attachment of this.#attachments) {
      if (attachment.role === 'control') floor = Math.min(floor ?? attachment.floor, attachment.floor);
    }
    if (floor !== undefined) this.#controlFloor = floor;
    const window = this.#context.limits.flowControlWindowBytes;
    // Held back by control clients while any is attached, before the first one attaches, and for
    // limits.reconnectHoldMs after the last one left: what they have not acknowledged stays in the
    // replay buffer (pinned), so a reconnect loses nothing, and the child waits while those bytes
    // fill the window or the buffer.
    //
    // Holding never blocks termination (signals reach a child blocked on a full pipe). Once the
    // process is gone, only what the kernel still buffers (≤ one pipe or terminal buffer) is left:
    // it is read, pinned bytes and all, so that the exit completes with every byte kept.
    const heldByClients = floor !== undefined || !this.#everControlled || this.#reconnectHold !== undefined;
    this.#replay.pin(heldByClients ? this.#controlFloor : Number.POSITIVE_INFINITY);
    const gone = child.poll() !== null;
    const behind =
      !gone &&
      ((heldByClients && (this.#replay.end - this.#controlFloor > window || this.#replay.overBudget)) ||
        (this.#screen?.backlogBytes ?? 0) > window);
    if (behind !== this.#paused) {
      this.#paused = behind;
      if (behind) child.pauseOutput();
      else child.resumeOutput();
    }
    this.#watchWhilePaused();
  }

  /** A paused child may exit without any client acting: look again now and then while paused. */
  #watchWhilePaused(): void {
    if (!this.#paused) {
      clearInterval(this.#pausedWatch);
      this.#pausedWatch = undefined;
      return;
    }
    if (this.#pausedWatch !== undefined) return;
    this.#pausedWatch = setInterval(() => this.#updateFlow(), PAUSED_WATCH_MS);
    this.#pausedWatch.unref();
  }

  #hasControl(): boolean {
    for (const attachment of this.#attachments) if (attachment.role === 'control') return true;
    return false;
  }

  /**
   * A dropped connection is usually back within seconds: keep holding the child at the last
   * control client's position for a while, then let it run on (like a detached tmux).
   */
  #holdForReconnect(): void {
    clearTimeout(this.#reconnectHold);
    this.#reconnectHold = undefined;
    const holdMs = this.#context.limits.reconnectHoldMs;
    if (holdMs === 0 || this.#state === 'exited') return;
    this.#reconnectHold = setTimeout(() => {
      this.#reconnectHold = undefined;
      this.#updateFlow();
    }, holdMs);
    this.#reconnectHold.unref();
  }

  // ---- helpers ----------------------------------------------------------------------------------

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

  #setState(state: SessionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#broadcastInfo();
  }

  #broadcast(message: ServerMessage): void {
    for (const attachment of this.#attachments) attachment.sink.sendMessage(message);
  }

  #broadcastInfo(except?: Attachment): void {
    if (this.#attachments.size === 0) return;
    const message: ServerMessage = { type: 'session', session: this.info() };
    for (const attachment of this.#attachments) {
      if (attachment !== except) attachment.sink.sendMessage(message);
    }
  }

  #armIdleTimer(): void {
    this.#clearIdleTimer();
    const idleMs = this.#context.limits.idleTimeoutMs;
    if (idleMs === 0 || this.#state === 'exited') return;
    this.#idleTimer = setTimeout(() => {
      this.#context.audit.record('terminate', {
        who: null,
        from: undefined,
        session: this.id,
        reason: 'idle timeout',
      });
      this.terminate(this.#context.limits.terminateGracePeriodMs).catch((error: unknown) =>
        this.#context.logger.error('idle terminate failed', { session: this.id, error }),
      );
    }, idleMs);
    this.#idleTimer.unref();
  }

  #clearIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}
