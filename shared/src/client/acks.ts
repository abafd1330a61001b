// Ack batching: one ack per quarter of the gateway's window processed (ACK_BYTES when it did not
// say), or ACK_DELAY_MS after the first unacked byte, whichever comes first — a flood costs a few
// acks per window instead of one per frame, and a trickle is acked promptly enough that the
// gateway's flow-control window never closes on it.
import { ACK_BYTES, ACK_DELAY_MS, MAX_ACK_BYTES } from './constants.js';
import type { Disposable, Scheduler } from './socket.js';

export interface AckTarget {
  /** Never ack past what this connection received. */
  limit(): number;
  /** Sends the ack; false when it could not (not connected), so it is tried again later. */
  send(offset: number): boolean;
}

export class AckBatcher {
  #acked = 0;
  #pending = 0;
  #every = ACK_BYTES;
  #timer: Disposable | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly target: AckTarget,
  ) {}

  /**
   * A new connection starts at `offset`: nothing before it needs acking on it. `window` is what
   * the gateway lets this client leave unacknowledged (`hello.window`), when it said.
   */
  reset(offset: number, window: number | undefined): void {
    this.cancel();
    this.#acked = offset;
    this.#pending = offset;
    this.#every =
      window === undefined ? ACK_BYTES : Math.max(1, Math.min(MAX_ACK_BYTES, Math.floor(window / 4)));
  }

  /** The consumer has processed every byte before `offset`. */
  processed(offset: number): void {
    if (offset <= this.#pending) return;
    this.#pending = offset;
    if (this.#pending - this.#acked >= this.#every) this.flush();
    else this.#timer ??= this.scheduler.after(ACK_DELAY_MS, () => this.flush());
  }

  flush(): void {
    this.cancel();
    const offset = Math.min(this.#pending, this.target.limit());
    if (offset <= this.#acked || !this.target.send(offset)) return;
    this.#acked = offset;
  }

  /** Drops a waiting ack (the connection closed; the next one starts with `reset`). */
  cancel(): void {
    this.#timer?.dispose();
    this.#timer = undefined;
  }
}
