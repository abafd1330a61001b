// The input gate: what a session's stdin accepts. Input is refused, with a reason the client is
// told, once stdin is closed, when the process has not read what is already queued for it
// (limits.maxPendingInputBytes), and beyond the input rate (limits.inputBytesPerSecond, a token
// bucket holding one second's worth of bytes).
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import { TokenBucket } from './rate.js';

export interface InputLimits {
  inputBytesPerSecond: number;
  maxPendingInputBytes: number;
}

export class InputGate {
  #open = true;
  readonly #bucket: TokenBucket;

  constructor(private readonly limits: InputLimits) {
    this.#bucket = new TokenBucket(limits.inputBytesPerSecond);
  }

  get open(): boolean {
    return this.#open;
  }

  /** Closes stdin for good; false if it was closed already. */
  close(): boolean {
    if (!this.#open) return false;
    this.#open = false;
    return true;
  }

  /** Throws the reason `length` bytes may not go to a process that has `queued` bytes unread. */
  admit(length: number, queued: number): void {
    if (!this.#open) throw stdinClosedError();
    if (length === 0) return;
    const maxQueued = this.limits.maxPendingInputBytes;
    if (queued + length > maxQueued) {
      throw new ProtocolError(
        ErrorCode.InputQueueFull,
        `the process has not read the ${queued} bytes of input already queued for it (limits.maxPendingInputBytes is ${maxQueued}): ${length} bytes refused`,
      );
    }
    if (!this.#bucket.take(length)) {
      throw new ProtocolError(
        ErrorCode.RateLimited,
        `input faster than ${this.limits.inputBytesPerSecond} bytes per second: ${length} bytes dropped`,
      );
    }
  }
}

export function stdinClosedError(): ProtocolError {
  return new ProtocolError(ErrorCode.StdinClosed, 'stdin was closed: no more input is accepted');
}
