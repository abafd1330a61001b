// Large output frames, reused instead of allocated per chunk.
//
// A relay of a large output frames one pipe read (up to 256 KiB) after another. A fresh frame each
// time leaves V8 to free them at its next collection; between collections they pile up to tens of
// MiB, which the C library then keeps as resident memory (docs/benchmarks.md, "Memory during a
// relay"). So large frames come from here and go back once nothing reads them: the replay buffer
// holds a frame until it evicts it, and each socket write holds it until the write is done. A frame
// whose hold is never given back is only garbage-collected: a missed release costs an allocation,
// never a frame reused while something still reads it.
//
// Frames come in three capacities, a payload going into the smallest that fits it. The replay
// buffer counts a frame's whole capacity against its budget, so no frame is more than about twice
// its contents: the output a client has not acked yet, below the quarter of its window that makes it
// ack, then takes at most half of a replay buffer (never smaller than the window), and unused
// capacity alone never pauses the process while the client waits for more before acking.

import { MAX_READ_BYTES } from '../process/index.js';

/** Payloads from this size on go into pooled frames; smaller ones get a frame of their size. */
export const POOLED_FROM_BYTES = MAX_READ_BYTES / 8;
/**
 * The capacities (type byte + payload), smallest first, each twice the one before: 64, 128 and
 * 256 KiB of payload, the largest the largest pipe read.
 */
export const FRAME_CAPACITIES = [MAX_READ_BYTES / 4, MAX_READ_BYTES / 2, MAX_READ_BYTES].map(
  (bytes) => bytes + 1,
);
/** Spare memory kept per capacity: more frames than a relay has free at any moment. */
const SPARE_BYTES_PER_CAPACITY = 1024 * 1024;

export class FramePool {
  /** Holds per frame in use, by its memory (a frame's views share it). */
  readonly #holds = new Map<ArrayBufferLike, number>();
  /** Spare frames per capacity, in FRAME_CAPACITIES' order. */
  readonly #spare: Buffer[][] = FRAME_CAPACITIES.map(() => []);

  /**
   * A frame of `bytes` (type byte + payload), held once by the caller, on memory of the smallest
   * capacity that fits it; undefined when its payload is too small or too large to be pooled.
   */
  take(bytes: number): Buffer | undefined {
    if (bytes <= POOLED_FROM_BYTES) return undefined;
    const index = FRAME_CAPACITIES.findIndex((capacity) => bytes <= capacity);
    if (index < 0) return undefined;
    const frame = this.#spare[index]?.pop() ?? Buffer.allocUnsafeSlow(FRAME_CAPACITIES[index] ?? bytes);
    this.#holds.set(frame.buffer, 1);
    return frame.subarray(0, bytes);
  }

  /**
   * One more reader of `frame` (or of a view of it), who must `release` it; false, and nothing to
   * release, for a frame not from this pool.
   */
  hold(frame: Uint8Array): boolean {
    const holds = this.#holds.get(frame.buffer);
    if (holds === undefined) return false;
    this.#holds.set(frame.buffer, holds + 1);
    return true;
  }

  /** A reader is done with `frame`; the last one returns it to the spares. */
  release(frame: Uint8Array): void {
    const memory = frame.buffer;
    const holds = this.#holds.get(memory);
    if (holds === undefined) return;
    if (holds > 1) {
      this.#holds.set(memory, holds - 1);
      return;
    }
    this.#holds.delete(memory);
    const capacity = memory.byteLength;
    const spare = this.#spare[FRAME_CAPACITIES.indexOf(capacity)];
    if (spare !== undefined && spare.length * capacity < SPARE_BYTES_PER_CAPACITY)
      spare.push(Buffer.from(memory, 0, capacity));
  }

  /** Frames in use (held); for tests. */
  get inUse(): number {
    return this.#holds.size;
  }

  /** Frames waiting for reuse, of every capacity; for tests. */
  get spare(): number {
    return this.#spare.reduce((sum, frames) => sum + frames.length, 0);
  }
}

/** The gateway's pool: frames move between sessions' replay buffers and every client's socket. */
export const framePool = new FramePool();
