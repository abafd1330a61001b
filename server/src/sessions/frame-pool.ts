// Full-size output frames, reused instead of allocated per chunk.
//
// A relay of a large output frames one 64 KiB read after another. A fresh frame each time leaves
// V8 to free them at its next collection; between collections they pile up to tens of MiB, which
// the C library then keeps as resident memory (docs/benchmarks.md, "Memory during a relay"). So
// large frames come from here and go back once nothing reads them: the replay buffer holds a
// frame until it evicts it, and each socket write holds it until the write is done. A frame whose
// hold is never given back is only garbage-collected: a missed release costs an allocation, never
// a frame reused while something still reads it.

/** The type byte and the largest payload a frame carries (the coalescer's 64 KiB). */
export const POOLED_FRAME_BYTES = 64 * 1024 + 1;
/** Payloads from this size on go into pooled frames; smaller ones get a frame of their size. */
export const POOLED_FROM_BYTES = 32 * 1024;
/** Spare frames kept for reuse (1 MiB): more than a relay has free at any moment. */
const MAX_SPARE = 16;

export class FramePool {
  /** Holds per frame in use, by its memory (a frame's views share it). */
  readonly #holds = new Map<ArrayBufferLike, number>();
  readonly #spare: Buffer[] = [];

  /** A frame of POOLED_FRAME_BYTES, held once by the caller. */
  take(): Buffer {
    const frame = this.#spare.pop() ?? Buffer.allocUnsafeSlow(POOLED_FRAME_BYTES);
    this.#holds.set(frame.buffer, 1);
    return frame;
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
    if (this.#spare.length < MAX_SPARE) this.#spare.push(Buffer.from(memory, 0, POOLED_FRAME_BYTES));
  }

  /** Frames in use (held); for tests. */
  get inUse(): number {
    return this.#holds.size;
  }

  /** Frames waiting for reuse; for tests. */
  get spare(): number {
    return this.#spare.length;
  }
}

/** The gateway's pool: frames move between sessions' replay buffers and every client's socket. */
export const framePool = new FramePool();
