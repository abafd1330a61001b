// One session's stream, run to its end for a command: the shared StreamClient does the protocol
// (resume, duplicates, acks, close codes); this decides what the operator sees. The first
// connection failing is fatal (a refused exec must not be retried into a second session); a later
// drop is resumed silently unless it lasts longer than a second, and given up after a bound.
import type { Writable } from 'node:stream';
import { StreamClient, describeClose } from '@shellgate/shared';
import type { ClientRole, EventMessage, HelloMessage, ProbeVerdict, StreamQuery } from '@shellgate/shared';
import type { Target } from './credentials.js';
import { ClientError, ClientErrorCode } from './errors.js';
import type { RemoteExit } from './exit-status.js';
import { isInputRefusal } from './input.js';
import type { InputRefusal } from './input.js';
import { OutputSink } from './output.js';
import type { OutputStream } from './output.js';
import { StreamOpener, nodeScheduler } from './ws-socket.js';

/** A drop shorter than this is not worth a line on stderr. */
const QUIET_RECONNECT_MS = 1_000;
/** A gateway unreachable for this long after a drop: the session is given up. */
const GIVE_UP_MS = 120_000;

export type StreamEnd = { kind: 'exit'; exit: RemoteExit } | { kind: 'caught-up' } | { kind: 'detached' };

export interface StreamOptions {
  target: Target;
  /** The WebSocket URL of the first connection (the exec upgrade, or the session's stream). */
  firstUrl: (query: StreamQuery) => string;
  role?: ClientRole;
  offset?: number;
  /** Ends with `caught-up` once the output that existed at the first hello has been written. */
  stopWhenCaughtUp?: boolean;
  stdout: Writable;
  stderr: Writable;
  /** Lines for the operator (`shellgate: …`). */
  say: (line: string) => void;
}

export class SessionStream {
  readonly client: StreamClient;
  readonly ended: Promise<StreamEnd>;
  readonly #opener: StreamOpener;
  readonly #sink: OutputSink;
  readonly #helloListeners = new Set<(hello: HelloMessage, first: boolean) => void>();
  #greeted = false;
  #droppedAt: number | undefined;
  #dropTimer: NodeJS.Timeout | undefined;
  #giveUpTimer: NodeJS.Timeout | undefined;
  #caughtUpAt: number | undefined;
  #finish: (end: StreamEnd) => void = () => undefined;
  #fail: (error: ClientError) => void = () => undefined;
  #settled = false;
  #inputRefused: ((code: InputRefusal) => void) | undefined;

  constructor(private readonly options: StreamOptions) {
    this.#opener = new StreamOpener(options.target, options.firstUrl, (code, reason) =>
      this.#socketClosed(code, reason),
    );
    this.client = new StreamClient({
      open: this.#opener.open,
      scheduler: nodeScheduler,
      role: options.role,
      offset: options.offset,
      probe: () => Promise.resolve(this.#probe()),
    });
    this.#sink = new OutputSink(
      { stdout: options.stdout, stderr: options.stderr },
      (offset) => this.#processed(offset),
      (error) =>
        this.#failWith(new ClientError(ClientErrorCode.LocalOutput, `cannot write output: ${error.message}`)),
    );
    this.ended = new Promise<StreamEnd>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
    this.client.onHello((hello, resumed) => this.#hello(hello, resumed));
    this.client.onOutput((stream, bytes, endOffset) => this.#sink.write(stream, bytes, endOffset));
    this.client.onSnapshot((bytes) => this.#sink.write('stdout', bytes, this.client.resumeOffset ?? 0));
    this.client.onGap((from, to) =>
      options.say(
        `${to - from} bytes of output lost (offsets ${from} to ${to}): no longer held by the gateway`,
      ),
    );
    this.client.onMessage((message) => this.#message(message));
    this.client.onStop((reason, detail) => this.#stopped(reason, detail));
  }

  /** Called on every hello; `first` is true once, on the first. */
  onHello(listener: (hello: HelloMessage, first: boolean) => void): void {
    this.#helloListeners.add(listener);
  }

  /** Where refusals of input go (the input pump, which sends the input again). */
  onInputRefused(listener: (code: InputRefusal) => void): void {
    this.#inputRefused = listener;
  }

  /** See StreamOpener.barrier. */
  barrier(): Promise<boolean> {
    return this.#opener.barrier();
  }

  start(): Promise<StreamEnd> {
    this.client.start();
    return this.ended;
  }

  /** Leaves the session running (detach); ends with `detached`. */
  detach(): void {
    this.#settle(() => this.#finish({ kind: 'detached' }));
  }

  #hello(hello: HelloMessage, resumed: boolean): void {
    const first = !this.#greeted;
    this.#greeted = true;
    this.#opener.sessionId = hello.session.id;
    if (this.#droppedAt !== undefined && Date.now() - this.#droppedAt >= QUIET_RECONNECT_MS) {
      this.options.say(
        `reconnected; output resumes at offset ${hello.offset}${resumed ? '' : ' (from a snapshot)'}`,
      );
    }
    this.#droppedAt = undefined;
    clearTimeout(this.#dropTimer);
    clearTimeout(this.#giveUpTimer);
    if (first && this.options.stopWhenCaughtUp === true) {
      this.#caughtUpAt = hello.session.outputBytes;
      if (hello.offset >= hello.session.outputBytes) void this.#caughtUp();
    }
    for (const listener of this.#helloListeners) listener(hello, first);
  }

  #processed(offset: number): void {
    this.client.processed(offset);
    if (this.#caughtUpAt !== undefined && offset >= this.#caughtUpAt) void this.#caughtUp();
  }

  async #caughtUp(): Promise<void> {
    this.#caughtUpAt = undefined;
    await this.#sink.flushed();
    this.#settle(() => this.#finish({ kind: 'caught-up' }));
  }

  #message(message: EventMessage): void {
    switch (message.type) {
      case 'exit': {
        const exit = { code: message.code, signal: message.signal };
        void this.#sink.flushed().then(() => this.#settle(() => this.#finish({ kind: 'exit', exit })));
        return;
      }
      case 'error':
        // Refused input is sent again by the input pump; anything else is worth a line.
        if (isInputRefusal(message.code) && this.#inputRefused !== undefined)
          this.#inputRefused(message.code);
        else this.options.say(`the gateway: ${message.message} (${message.code})`);
        return;
      case 'terminating':
      case 'session':
        return;
      default: {
        const check: never = message;
        return check;
      }
    }
  }

  /** Every socket's close, before the stream client decides whether to retry. */
  #socketClosed(code: number, reason: string): void {
    if (this.#settled || this.client.exited) return;
    if (!this.#greeted) {
      // Never connected: say why, and do not try again (an exec would start a second session).
      const detail = `the connection closed before the gateway greeted it (${describeClose(code, reason)})`;
      this.#failWith(this.#opener.failure?.error ?? new ClientError(ClientErrorCode.Unreachable, detail));
      return;
    }
    if (this.#droppedAt !== undefined) return;
    this.#droppedAt = Date.now();
    const detail = `connection lost (${describeClose(code, reason)})`;
    this.#dropTimer = setTimeout(() => this.options.say(`${detail}; reconnecting…`), QUIET_RECONNECT_MS);
    this.#giveUpTimer = setTimeout(() => {
      const cause = this.#opener.failure?.error.message ?? detail;
      this.#failWith(
        new ClientError(
          ClientErrorCode.SessionLost,
          `gave up reconnecting after ${GIVE_UP_MS / 1000} s: ${cause}`,
        ),
      );
    }, GIVE_UP_MS);
  }

  /** After a refused reconnect: stop when the gateway says the session or the credential is gone. */
  #probe(): ProbeVerdict {
    const status = this.#opener.failure?.status;
    if (status === 404) return 'gone';
    if (status === 401 || status === 403) return 'unauthorized';
    return 'retry';
  }

  #stopped(reason: string, detail: string): void {
    if (reason === 'ended') return; // after `exit`: the exit message settles
    const failure = this.#opener.failure?.error;
    if (!this.#greeted && failure !== undefined) return this.#failWith(failure);
    const cause = failure?.message ?? detail;
    this.#failWith(new ClientError(ClientErrorCode.SessionLost, `session lost: ${cause}`));
  }

  #failWith(error: ClientError): void {
    this.#settle(() => this.#fail(error));
  }

  #settle(settle: () => void): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#dropTimer);
    clearTimeout(this.#giveUpTimer);
    this.client.dispose();
    settle();
  }
}

export type { OutputStream };
