// Local stdin onto the remote stdin, as `ssh host cmd` does: binary frames, EOF as `close-stdin`.
//
// The protocol has no ack for input, and the gateway refuses (rather than queues) input beyond
// limits.maxPendingInputBytes or its input rate. So one frame is in flight at a time, followed by
// a ping: the pong comes back after the gateway has handled the frame, and after the `error` that
// refused it, if any (docs/protocol.md, "Input"). A refused frame is sent again after a pause — in
// order, nothing lost. Local stdin is paused while a frame's worth waits, so memory stays bounded.
import type { ClientMessage } from '@shellgate/shared';

/** Largest input frame; halved after each consecutive refusal, for a gateway with a small queue. */
const MAX_FRAME_BYTES = 256 * 1024;
const MIN_FRAME_BYTES = 4 * 1024;
/** Pause before sending a refused frame again: the process reads, the rate bucket refills. */
const RETRY_DELAY_MS = { INPUT_QUEUE_FULL: 20, RATE_LIMITED: 300 } as const;
const RETRY_DELAY_MAX_MS = 1_000;

/** Refusals after which the same input is sent again. */
export type InputRefusal = keyof typeof RETRY_DELAY_MS;

export function isInputRefusal(code: string): code is InputRefusal {
  return Object.hasOwn(RETRY_DELAY_MS, code);
}

export interface InputChannel {
  sendStdin(bytes: Uint8Array): boolean;
  send(message: ClientMessage): boolean;
  /** True once the gateway has handled everything sent before; false if the connection closed. */
  barrier(): Promise<boolean>;
}

export class InputPump {
  readonly #waiting: Buffer[] = [];
  #waitingBytes = 0;
  #inFlight: Buffer | undefined;
  #refusal: InputRefusal | undefined;
  #refusals = 0;
  #frameLimit = MAX_FRAME_BYTES;
  #retryTimer: NodeJS.Timeout | undefined;
  #ended = false;
  #eofSent = false;
  #stopped = false;
  readonly #onData = (chunk: Buffer): void => this.#read(chunk);
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#pump();
  };

  constructor(
    private readonly stdin: NodeJS.ReadStream,
    private readonly channel: InputChannel,
    private readonly say: (line: string) => void,
    /** Each chunk before it is queued: what to send (the detach key filter, say). */
    private readonly filter: (chunk: Buffer) => Buffer = (chunk) => chunk,
    /** Whether local EOF closes the remote stdin (not for a viewer, which only reads its keys). */
    private readonly sendEof = true,
  ) {
    stdin.on('data', this.#onData);
    stdin.once('end', this.#onEnd);
    stdin.resume();
  }

  /** A (re)connection opened: send what waited. */
  connected(): void {
    const lost = this.#inFlight;
    if (lost !== undefined) {
      // The connection dropped between the frame and its pong: whether the gateway took it is
      // unknown, and sending it again might repeat it.
      this.#inFlight = undefined;
      this.say(
        `the connection dropped while ${lost.length} bytes of input were in flight: they may not have arrived`,
      );
    }
    this.#pump();
  }

  /** The gateway refused input on the current connection. */
  refused(code: InputRefusal): void {
    if (this.#inFlight !== undefined) this.#refusal = code;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.stdin.off('data', this.#onData);
    this.stdin.off('end', this.#onEnd);
    this.stdin.pause();
  }

  #read(chunk: Buffer): void {
    const bytes = this.filter(chunk);
    if (bytes.length === 0) return;
    this.#waiting.push(bytes);
    this.#waitingBytes += bytes.length;
    if (this.#waitingBytes >= MAX_FRAME_BYTES) this.stdin.pause();
    this.#pump();
  }

  #takeFrame(): Buffer {
    const all = Buffer.concat(this.#waiting);
    const frame = all.subarray(0, this.#frameLimit);
    this.#waiting.length = 0;
    if (frame.length < all.length) this.#waiting.push(all.subarray(frame.length));
    this.#waitingBytes = all.length - frame.length;
    return frame;
  }

  #putBack(frame: Buffer): void {
    this.#waiting.unshift(frame);
    this.#waitingBytes += frame.length;
  }

  #pump(): void {
    if (this.#stopped || this.#inFlight !== undefined || this.#retryTimer !== undefined) return;
    if (this.#waitingBytes === 0) {
      if (this.#ended && this.sendEof && !this.#eofSent && this.channel.send({ type: 'close-stdin' })) {
        this.#eofSent = true;
      }
      return;
    }
    const frame = this.#takeFrame();
    if (!this.channel.sendStdin(frame)) return this.#putBack(frame); // not connected: connected() resumes
    this.#inFlight = frame;
    this.#refusal = undefined;
    void this.channel.barrier().then((handled) => this.#settled(frame, handled));
  }

  #settled(frame: Buffer, handled: boolean): void {
    if (this.#inFlight !== frame) return;
    if (!handled) return; // the connection closed: connected() decides
    this.#inFlight = undefined;
    const refusal = this.#refusal;
    if (refusal !== undefined) {
      this.#refusals += 1;
      if (refusal === 'INPUT_QUEUE_FULL') this.#frameLimit = Math.max(MIN_FRAME_BYTES, this.#frameLimit / 2);
      this.#putBack(frame);
      const delay = Math.min(RETRY_DELAY_MAX_MS, RETRY_DELAY_MS[refusal] * this.#refusals);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#pump();
      }, delay);
      return;
    }
    this.#refusals = 0;
    this.#frameLimit = MAX_FRAME_BYTES;
    if (this.#waitingBytes < MAX_FRAME_BYTES && !this.#ended) this.stdin.resume();
    this.#pump();
  }
}
