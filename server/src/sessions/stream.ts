// A session's output stream, the data path: child output → coalescer → replay buffer (and the
// screen tracker of a PTY session) → every attached client, tagged by stream and counted in one
// offset. Flow control (flow-control.ts) decides when the child is paused and how far each client is
// sent ahead; fanout.ts sends. The session (session.ts) owns the process and its state and tells
// the stream when the process is gone.
//
// A PTY session's client attaching without an offset, or from one that has left the replay buffer,
// is sent the current screen as a snapshot instead of a replay that could start inside an escape
// sequence.
import { FrameType, PROTOCOL_VERSION, ProtocolError, ErrorCode, encodeFrame } from '@shellgate/shared';
import type { ClientRole, ExitStatus, ServerMessage, SessionInfo } from '@shellgate/shared';
import type { Limits } from '../config/limits.js';
import type { Logger } from '../log/logger.js';
import type { SessionRecorder } from '../recording/recorder.js';
import type { ScreenTracker } from '../screen/index.js';
import { Attachment } from './attachment.js';
import type { ClientSink } from './attachment.js';
import type { SessionProcess } from './child.js';
import { OutputCoalescer } from './coalescer.js';
import { Fanout } from './fanout.js';
import { FlowControl, slowestControlFloor } from './flow-control.js';
import { InputLog } from './input-log.js';
import { ReplayBuffer } from './replay.js';
import { NamedTimers } from './timers.js';

/** What the stream asks of its session. */
export interface StreamOwner {
  readonly id: string;
  info(): SessionInfo;
  /** Clients were attached or detached: `count` are attached now. */
  clientsChanged(count: number): void;
}

const textEncoder = new TextEncoder();

export class SessionStream {
  readonly #replay: ReplayBuffer;
  readonly #fanout: Fanout;
  readonly #flow: FlowControl;
  /** What control clients typed (pipe sessions), for clients that ask (input-log.ts). */
  readonly #inputs: InputLog;
  readonly #output = new OutputCoalescer((type, data) => this.#relay(type, data));
  readonly #timers = new NamedTimers<'reconnect-hold'>();
  #subscriptions: Array<{ dispose(): void }> = [];
  #child: SessionProcess | undefined;
  #screen: ScreenTracker | null = null;
  /** The session's recording, fed each frame as it is relayed (it only queues; see recorder.ts). */
  #recorder: SessionRecorder | null = null;
  /** Once the process is gone nothing is held or paused any more. */
  #over = false;
  #closed = false;

  constructor(
    private readonly owner: StreamOwner,
    private readonly limits: Limits,
    private readonly logger: Logger,
  ) {
    const flowLimits = { windowBytes: limits.flowControlWindowBytes, viewerLagBytes: limits.viewerLagBytes };
    this.#replay = new ReplayBuffer(limits.replayBufferBytes);
    this.#inputs = new InputLog(limits.replayBufferBytes);
    this.#fanout = new Fanout(this.#replay, flowLimits, this.#inputs);
    this.#flow = new FlowControl(flowLimits);
  }

  /** Output so far: the offset of the next output byte. */
  get outputBytes(): number {
    return this.#replay.end;
  }

  /** Attached clients, including those still waiting for their snapshot. */
  get clientCount(): number {
    return this.#fanout.size;
  }

  /** Whether flow control holds the child's output back (metrics). */
  get outputPaused(): boolean {
    return this.#flow.paused;
  }

  /** Clients that have had their `hello`. */
  get joinedCount(): number {
    return this.#fanout.joined.size;
  }

  /** Starts relaying the child's output (and feeding `screen`, for a PTY session, and `recorder`). */
  start(child: SessionProcess, screen: ScreenTracker | null, recorder: SessionRecorder | null = null): void {
    this.#child = child;
    this.#screen = screen;
    this.#recorder = recorder;
    // A pipe session's output is read into a reused buffer (child.ts): what is kept is copied.
    this.#output.lent = child.lendsOutput;
    const output = child.onOutput((chunk) => {
      if (chunk.data.length === 0 || this.#closed) return;
      this.#output.push(chunk.stream === 'stdout' ? FrameType.Stdout : FrameType.Stderr, chunk.data);
    });
    // A paused child may exit without any client acting: the core says so before its output has
    // drained, and flow control then resumes reading so that the exit can complete.
    const exit = child.onProcessExit(() => this.#updateFlow());
    // The worker's parsing counts in the flow-control window: resume once it has caught up.
    const parsed = screen?.onParsed(() => {
      if (this.#flow.paused) this.#updateFlow();
    });
    // A literal, which V8 sizes exactly (pushed into, the array kept room for 19: ~140 bytes more).
    this.#subscriptions = parsed === undefined ? [output, exit] : [output, exit, parsed];
  }

  /** The next output answers input: frame it without delay. */
  answering(): void {
    this.#output.answering();
  }

  /** A control client wrote `data` to a pipe session's stdin: kept beside the output it preceded. */
  recordInput(data: Uint8Array): void {
    if (this.#child?.mode !== 'pipe' || data.byteLength === 0 || this.#closed) return;
    // Output gathered before the input came goes before it.
    this.#output.flush();
    this.#fanout.inputRecorded(this.#inputs.record(this.#replay.end, data));
  }

  /**
   * Attaches a client: `hello`, then what it has not seen, then live output (and `exit` if it is
   * over). From `offset` (≤ outputBytes; the caller checked) when it is still in the replay buffer:
   * a `gap` first if not. A PTY session instead starts a client without a replayable offset from a
   * snapshot of its screen.
   */
  attach(
    sink: ClientSink,
    role: ClientRole,
    offset: number | null,
    inputSeq: number | null = null,
  ): Attachment {
    const screen = this.#screen;
    if (screen === null || (offset !== null && offset >= this.#replay.start)) {
      const attachment = new Attachment(sink, role, offset ?? 0, inputSeq);
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
        this.logger.warn('screen snapshot failed; replaying bytes', { error });
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
      this.broadcastInfo();
    }
    if (was !== null) this.owner.clientsChanged(this.clientCount);
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

  broadcast(message: ServerMessage): void {
    this.#fanout.broadcast(message);
  }

  /** Tells every joined client (but `except`) the session's current description. */
  broadcastInfo(except?: Attachment): void {
    if (this.#fanout.joined.size === 0) return;
    this.#fanout.broadcast({ type: 'session', session: this.owner.info() }, except);
  }

  /** Frames what is gathered: the last output goes out before anything that follows it. */
  flush(): void {
    this.#output.flush();
  }

  /** The process is gone: nothing is held any more; every client gets the rest, then `exit`. */
  ended(status: ExitStatus): void {
    this.#over = true;
    this.#flow.processExited();
    this.#timers.clearAll();
    this.#fanout.exited(status);
  }

  /** Closes every client and drops the buffered output. */
  close(code: number, reason: string): void {
    this.#closed = true;
    this.#over = true;
    this.#timers.clearAll();
    for (const subscription of this.#subscriptions.splice(0)) subscription.dispose();
    this.#fanout.closeAll(code, reason);
    this.#output.dispose();
    this.#replay.clear();
    this.#inputs.clear();
  }

  #relay(type: FrameType, data: Buffer): void {
    const start = this.#replay.end;
    this.#recorder?.output(type === FrameType.Stderr ? 'stderr' : 'stdout', data);
    const frame = this.#replay.append(type, data);
    this.#inputs.dropBefore(this.#replay.start);
    this.#fanout.relay(frame, start, this.#replay.end);
    // The screen after the clients: it only gathers (a copy), yet nothing of it need come first.
    this.#screen?.write(data);
    this.#updateFlow();
  }

  /** Sends `hello` (and the snapshot, if any) and joins the live stream. */
  #join(attachment: Attachment, snapshot: string | null): void {
    if (this.#closed || !this.#fanout.join(attachment)) return;
    this.owner.clientsChanged(this.clientCount);
    if (attachment.role === 'control') {
      this.#flow.controlJoined();
      this.#timers.clear('reconnect-hold');
    }
    attachment.sink.sendMessage({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      session: this.owner.info(),
      role: attachment.role,
      offset: attachment.sent,
      snapshot: snapshot !== null,
      window: attachment.role === 'control' ? this.limits.flowControlWindowBytes : this.limits.viewerLagBytes,
    });
    if (snapshot !== null)
      attachment.sink.sendFrame(encodeFrame(FrameType.Snapshot, textEncoder.encode(snapshot)));
    this.#fanout.pump(attachment);
    this.broadcastInfo(attachment);
    this.#updateFlow();
  }

  /**
   * A dropped connection is usually back within seconds: when the last control client leaves, keep
   * holding the child at its position for a while, then let it run on (like a detached tmux).
   */
  #controlLeft(attachment: Attachment): void {
    const lastOne = !this.#fanout.hasControl();
    const holdMs = this.limits.reconnectHoldMs;
    const hold = lastOne && holdMs > 0 && !this.#over;
    this.#flow.controlLeft(attachment.floor, lastOne, hold);
    if (!lastOne) return;
    if (!hold) {
      this.#timers.clear('reconnect-hold');
      return;
    }
    this.#timers.set('reconnect-hold', holdMs, () => {
      this.#flow.holdExpired();
      this.#updateFlow();
    });
  }

  /** Applies flow control's decision: what the replay buffer pins, whether the child is paused. */
  #updateFlow(): void {
    const child = this.#child;
    if (child === undefined || this.#closed) return;
    // Acks after the exit still move the pin: else what the control clients had not acknowledged
    // when the process ended stayed in the replay buffer, past its budget, as long as the session.
    this.#replay.pin(this.#flow.retainFrom(slowestControlFloor(this.#fanout.joined)));
    if (this.#over) return; // the process is gone: nothing to pause or resume
    const pause = this.#flow.decide({
      replayEnd: this.#replay.end,
      replayOverBudget: this.#replay.overBudget,
      screenBacklog: this.#screen?.backlogBytes ?? 0,
      processGone: child.poll() !== null,
    });
    if (pause === true) child.pauseOutput();
    if (pause === false) child.resumeOutput();
  }
}
