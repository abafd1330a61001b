// A session's stream, as a client sees it: connect, resume from the last offset after a drop (with
// backoff), drop bytes the gateway resends, ack what the consumer has processed — batched — and
// stop for good on the close codes that say so. The socket and the timers are injected, so the
// browser, the tests and a command-line client share this one implementation.
//
//   connecting ──hello──► connected ──close──► reconnecting ──(backoff)──► …
//        └───────────────────┴──────── stop ─────────► offline
import type { ClientRole } from '../constants.js';
import { FrameType } from '../constants.js';
import { encodeFrame } from '../frames.js';
import type { Frame } from '../frames.js';
import type { ClientMessage, ServerMessage } from '../messages.js';
import { AckBatcher } from './acks.js';
import { closeVerdict, describeClose, reconnectDelay } from './close-codes.js';
import type { StopReason } from './close-codes.js';
import { StreamCursor } from './cursor.js';
import { readInbound } from './inbound.js';
import { Emitter } from './socket.js';
import type { Disposable, OpenSocket, Scheduler, StreamSocket } from './socket.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';
export type OutputStream = 'stdout' | 'stderr';
export type HelloMessage = Extract<ServerMessage, { type: 'hello' }>;
/** Server messages the client passes on as they are (hello and gap have their own events). */
export type EventMessage = Exclude<ServerMessage, { type: 'hello' | 'gap' | 'input' }>;

/**
 * The answer of a look over HTTP after an upgrade was refused (a browser is not told the status):
 * retry, or stop because the session is gone or the credential no longer works.
 */
export type ProbeVerdict = 'retry' | 'gone' | 'unauthorized';

export interface StreamClientOptions {
  /** Opens a socket to the stream with the given query (see streamUrl). */
  open: OpenSocket;
  scheduler: Scheduler;
  /** Sent as `?role=`; omitted: the gateway's default for the credential. */
  role?: ClientRole;
  /** The offset to ask for on the first connection; omitted: the gateway's default. */
  offset?: number;
  /** Ask for what control clients typed into a pipe session (`?input=`, onInput); default false. */
  input?: boolean;
  /** Called when a connection closed before it opened; without it the client just retries. */
  probe?: () => Promise<ProbeVerdict>;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
}

const PROBE_STOPS = {
  gone: { reason: 'gone', detail: 'the session is gone' },
  unauthorized: { reason: 'unauthorized', detail: 'signed out' },
} as const satisfies Record<Exclude<ProbeVerdict, 'retry'>, { reason: StopReason; detail: string }>;

export class StreamClient implements Disposable {
  readonly #options: StreamClientOptions;
  readonly #cursor: StreamCursor;
  readonly #acks: AckBatcher;
  #socket: StreamSocket | null = null;
  #subscriptions: Disposable[] = [];
  #helloSeen = false;
  #state: ConnectionState = 'connecting';
  #retryTimer: Disposable | undefined;
  #attempt = 0;
  #exited = false;
  #disposed = false;

  readonly #hello = new Emitter<[message: HelloMessage, resumed: boolean]>();
  readonly #output = new Emitter<[stream: OutputStream, bytes: Uint8Array, endOffset: number]>();
  readonly #snapshot = new Emitter<[bytes: Uint8Array]>();
  readonly #input = new Emitter<[data: string]>();
  /** The next input the client wants: each arrives once across reconnects, like output. */
  #inputSeq = 0;
  readonly #gap = new Emitter<[from: number, to: number]>();
  readonly #message = new Emitter<[message: EventMessage]>();
  readonly #stateChange = new Emitter<[state: ConnectionState, detail: string]>();
  readonly #stop = new Emitter<[reason: StopReason, detail: string]>();
  readonly #emitters: ReadonlyArray<{ clear(): void }> = [
    this.#hello,
    this.#output,
    this.#snapshot,
    this.#input,
    this.#gap,
    this.#message,
    this.#stateChange,
    this.#stop,
  ];

  constructor(options: StreamClientOptions) {
    this.#options = options;
    this.#cursor = new StreamCursor(options.offset ?? null);
    this.#acks = new AckBatcher(options.scheduler, {
      limit: () => this.#cursor.position,
      send: (offset) => this.send({ type: 'ack', offset }),
    });
  }

  /** A (re)connection was accepted. `resumed` is false on the first one and after a snapshot. */
  onHello(listener: (message: HelloMessage, resumed: boolean) => void): Disposable {
    return this.#hello.on(listener);
  }
  /** New output, each byte once; call `processed(endOffset)` once it has been written out. */
  onOutput(listener: (stream: OutputStream, bytes: Uint8Array, endOffset: number) => void): Disposable {
    return this.#output.on(listener);
  }
  /** A PTY snapshot: the screen as escape sequences; reset the terminal and write it. */
  onSnapshot(listener: (bytes: Uint8Array) => void): Disposable {
    return this.#snapshot.on(listener);
  }
  /** What a control client typed into a pipe session, in its place among the output (opt-in). */
  onInput(listener: (data: string) => void): Disposable {
    return this.#input.on(listener);
  }
  /** Bytes [from, to) will never arrive. */
  onGap(listener: (from: number, to: number) => void): Disposable {
    return this.#gap.on(listener);
  }
  /** `exit`, `terminating`, `session` and `error` messages (a garbled frame is an `error` too). */
  onMessage(listener: (message: EventMessage) => void): Disposable {
    return this.#message.on(listener);
  }
  onState(listener: (state: ConnectionState, detail: string) => void): Disposable {
    return this.#stateChange.on(listener);
  }
  /** The client stopped for good (after the `offline` state): why. */
  onStop(listener: (reason: StopReason, detail: string) => void): Disposable {
    return this.#stop.on(listener);
  }

  get state(): ConnectionState {
    return this.#state;
  }
  /** Connected and greeted: messages can be sent. */
  get isOpen(): boolean {
    return this.#socket !== null && this.#socket.isOpen && this.#helloSeen;
  }
  /** The offset the next connection asks for: just past the last byte handed to onOutput. */
  get resumeOffset(): number | null {
    return this.#cursor.resumeOffset;
  }
  /** Whether the session's `exit` has arrived. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Opens the first connection (subscribe to the events first). */
  start(): void {
    if (this.#socket === null && this.#retryTimer === undefined && !this.#disposed) this.#connect();
  }

  /** Sends a control message; false when not connected (the caller tells its user). */
  send(message: ClientMessage): boolean {
    if (!this.isOpen || this.#socket === null) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  /** Bytes for stdin, as a binary frame; false when not connected. */
  sendStdin(bytes: Uint8Array): boolean {
    if (!this.isOpen || this.#socket === null) return false;
    this.#socket.send(encodeFrame(FrameType.Stdin, bytes));
    return true;
  }

  /** The consumer has processed every byte before `offset` (acks are batched). */
  processed(offset: number): void {
    this.#acks.processed(offset);
  }

  /** Skips a waiting backoff (the network came back, say). */
  retryNow(): void {
    if (this.#retryTimer === undefined || this.#disposed) return;
    this.#retryTimer.dispose();
    this.#connect();
  }

  /** Closes the connection (1000) and stops; no event fires after this. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#retryTimer?.dispose();
    this.#acks.cancel();
    const socket = this.#socket;
    this.#detach();
    socket?.close(1000, 'client left');
    for (const emitter of this.#emitters) emitter.clear();
  }

  #connect(): void {
    this.#retryTimer = undefined;
    this.#setState(this.#cursor.resumeOffset === null ? 'connecting' : 'reconnecting', 'connecting…');
    const offset = this.#cursor.resumeOffset ?? undefined;
    const query = { offset, role: this.#options.role };
    // Only a client that asked sends `input=`: the query of one that did not is as it always was.
    const socket = this.#options.open(
      this.#options.input === true ? { ...query, input: this.#inputSeq } : query,
    );
    this.#socket = socket;
    this.#helloSeen = false;
    let opened = false;
    this.#subscriptions = [
      socket.onOpen(() => {
        opened = true;
      }),
      socket.onMessage((data) => this.#receive(data)),
      socket.onClose((code, reason) => {
        this.#detach();
        this.#acks.cancel();
        if (!this.#disposed) this.#closed(code, reason, opened);
      }),
    ];
  }

  /** Forgets the current socket: nothing it still reports reaches the client. */
  #detach(): void {
    for (const subscription of this.#subscriptions) subscription.dispose();
    this.#subscriptions = [];
    this.#socket = null;
    this.#helloSeen = false;
  }

  #receive(data: string | Uint8Array): void {
    const inbound = readInbound(data);
    if (inbound.kind === 'message') this.#onMessage(inbound.message);
    else if (inbound.kind === 'frame') this.#onFrame(inbound.frame);
    else this.#message.fire(inbound.error);
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'hello': {
        const resumed = this.#cursor.hello(message.offset, message.snapshot);
        this.#helloSeen = true;
        this.#attempt = 0;
        this.#acks.reset(message.offset, message.window);
        this.#hello.fire(message, resumed);
        this.#setState('connected', message.role === 'view' ? 'connected, read-only' : 'connected');
        return;
      }
      case 'gap':
        this.#cursor.gap(message.to);
        this.#gap.fire(message.from, message.to);
        return;
      case 'input':
        if (message.seq < this.#inputSeq) return; // already handed on before the reconnect
        this.#inputSeq = message.seq + 1;
        this.#input.fire(message.data);
        return;
      case 'exit':
        this.#exited = true;
        this.#message.fire(message);
        return;
      case 'terminating':
      case 'session':
      case 'error':
        this.#message.fire(message);
        return;
      default: {
        const check: never = message;
        return check;
      }
    }
  }

  #onFrame(frame: Frame): void {
    switch (frame.type) {
      case FrameType.Snapshot:
        this.#snapshot.fire(frame.payload);
        return;
      case FrameType.Stdout:
      case FrameType.Stderr: {
        const bytes = this.#cursor.output(frame.payload);
        if (bytes === undefined) return; // already handed on before the reconnect
        const stream = frame.type === FrameType.Stderr ? 'stderr' : 'stdout';
        this.#output.fire(stream, bytes, this.#cursor.position);
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

  #closed(code: number, reason: string, opened: boolean): void {
    const verdict = closeVerdict(code, reason, this.#exited);
    if (!verdict.retry) return this.#stopWith(verdict.reason, verdict.detail);
    const why = describeClose(code, reason);
    // The upgrade was refused (a browser hides the HTTP status) or the network failed: ask whether
    // there is still something to reconnect to.
    if (!opened) void this.#probeThenRetry(why);
    else this.#scheduleRetry(`connection lost: ${why}`);
  }

  async #probeThenRetry(why: string): Promise<void> {
    let verdict: ProbeVerdict = 'retry';
    try {
      verdict = (await this.#options.probe?.()) ?? 'retry';
    } catch {
      verdict = 'retry'; // the probe could not tell: keep trying
    }
    if (this.#disposed) return;
    if (verdict === 'retry') this.#scheduleRetry(`cannot connect: ${why}`);
    else this.#stopWith(PROBE_STOPS[verdict].reason, PROBE_STOPS[verdict].detail);
  }

  #scheduleRetry(detail: string): void {
    const wait = reconnectDelay(this.#attempt, this.#options.random ?? Math.random);
    this.#attempt += 1;
    this.#setState('reconnecting', `${detail}; retrying in ${(wait / 1000).toFixed(1)} s`);
    this.#retryTimer = this.#options.scheduler.after(wait, () => this.#connect());
  }

  #stopWith(reason: StopReason, detail: string): void {
    this.#setState('offline', detail);
    this.#stop.fire(reason, detail);
  }

  #setState(state: ConnectionState, detail: string): void {
    this.#state = state;
    this.#stateChange.fire(state, detail);
  }
}
