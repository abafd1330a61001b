// The replay buffer: the last N bytes of a session's output, kept as ready-to-send frames (type
// byte + payload) so that a reconnecting client gets exactly the bytes after its offset.
//
// Bytes from the pin on are never evicted: the session pins the slowest control client's
// acknowledged offset, so a control client that reconnects never finds its bytes gone. The buffer
// may then exceed its budget by what arrived since; the session pauses the child while it does.
//
// Large chunks are stored as the very frame that was sent live (one copy per chunk, shared by every
// client and the buffer); the largest in frames from the gateway's pool (frame-pool.ts), held until
// evicted. Small chunks are coalesced into a growing buffer per stream run, so a child writing one
// byte at a time does not cost an object per byte. The byte budget counts real memory: buffer
// capacity plus a fixed per-entry overhead.
import type { FrameType } from '@shellgate/shared';
import { framePool, type FramePool } from './frame-pool.js';

/** Payloads below this are coalesced instead of stored as their own frame. */
const COALESCE_BELOW = 1024;
/** A coalescing buffer grows up to this size, then a new one starts. */
const COALESCE_MAX = 16 * 1024;
/**
 * A coalescing buffer starts at twice its first chunk, at least this, and doubles as it fills: a
 * session that printed a prompt and waits, as most do at any moment, keeps a small one.
 */
const COALESCE_MIN = 32;
/** Rough bookkeeping cost of one entry (object, Buffer header, array slot), counted in the budget. */
const ENTRY_OVERHEAD_BYTES = 96;

interface Entry {
  /** Stream offset of the first payload byte. */
  offset: number;
  type: FrameType;
  /** type byte + payload; for a coalescing entry, only the first `1 + length` bytes are used. */
  frame: Buffer;
  length: number;
  /** Still accepting coalesced bytes. */
  open: boolean;
}

export interface ReplaySlice {
  /** A frame to send as-is (type byte + payload). */
  frame: Buffer;
  /** Payload bytes in `frame`. */
  length: number;
}

export class ReplayBuffer {
  // Evicted slots before #head are undefined until the array is compacted.
  #entries: Array<Entry | undefined> = [];
  #head = 0;
  #bytes = 0;
  /** Offset of the oldest byte still held. */
  #start = 0;
  /** Offset just past the newest byte. */
  #end = 0;
  /** Eviction never drops a byte at or after this offset. */
  #pin = Number.POSITIVE_INFINITY;

  constructor(
    private readonly budget: number,
    private readonly pool: FramePool = framePool,
  ) {}

  get start(): number {
    return this.#start;
  }

  get end(): number {
    return this.#end;
  }

  /** Whether pinned bytes hold the buffer over its budget. */
  get overBudget(): boolean {
    return this.#bytes > this.budget;
  }

  /** Keeps every byte from `offset` on (`Infinity`: nothing pinned); evicts what it may. */
  pin(offset: number): void {
    if (offset === this.#pin) return; // called for every frame; append already evicted
    this.#pin = offset;
    this.#evict();
  }

  /** Adds a chunk (copied, never kept by reference) and returns the frame to send live for it. */
  append(type: FrameType, data: Buffer): Buffer {
    const length = data.length;
    const offset = this.#end;
    this.#end += length;
    if (length >= COALESCE_BELOW) {
      // allocUnsafeSlow: a frame kept here must not pin a shared 8 KiB pool slab.
      const frame = this.pool.take(length + 1) ?? Buffer.allocUnsafeSlow(length + 1);
      frame[0] = type;
      data.copy(frame, 1);
      this.#close();
      this.#push({ offset, type, frame, length, open: false });
      this.#evict();
      return frame;
    }
    const tail = this.#entries[this.#entries.length - 1];
    let entry: Entry;
    if (tail?.open === true && tail.type === type && tail.length + length < COALESCE_MAX) {
      entry = tail;
      const needed = entry.length + length + 1;
      if (needed > entry.frame.length) {
        const grown = Buffer.allocUnsafeSlow(
          Math.min(COALESCE_MAX, Math.max(needed, entry.frame.length * 2)),
        );
        entry.frame.copy(grown, 0, 0, entry.length + 1);
        this.#bytes += grown.length - entry.frame.length;
        entry.frame = grown;
      }
    } else {
      this.#close();
      const frame = Buffer.allocUnsafeSlow(Math.max(COALESCE_MIN, (length + 1) * 2));
      frame[0] = type;
      entry = { offset, type, frame, length: 0, open: true };
      this.#push(entry);
    }
    data.copy(entry.frame, entry.length + 1);
    const start = entry.length;
    entry.length += length;
    this.#evict();
    // The live frame for this chunk alone. A small copy: frames in flight must not see later bytes.
    const live = Buffer.allocUnsafe(length + 1);
    live[0] = type;
    entry.frame.copy(live, 1, start + 1, start + 1 + length);
    return live;
  }

  /**
   * Frames holding the bytes from `offset` (≥ start, ≤ end) on, up to about `maxBytes` payload
   * bytes (at least one frame when any byte is there).
   */
  slice(offset: number, maxBytes = Number.POSITIVE_INFINITY): ReplaySlice[] {
    if (offset < this.#start || offset > this.#end) {
      throw new RangeError(`offset ${offset} is outside the replay buffer [${this.#start}, ${this.#end}]`);
    }
    const out: ReplaySlice[] = [];
    let budget = maxBytes;
    for (let i = this.#find(offset); i < this.#entries.length && budget > 0; i += 1) {
      const entry = this.#entries[i];
      if (entry === undefined) break;
      const skip = Math.max(0, offset - entry.offset);
      const length = entry.length - skip;
      if (length <= 0) continue;
      let frame: Buffer;
      if (skip === 0 && !entry.open) {
        // A closed entry never changes again; only its used part goes out.
        frame = entry.frame.subarray(0, entry.length + 1);
      } else {
        frame = Buffer.allocUnsafe(length + 1);
        frame[0] = entry.type;
        entry.frame.copy(frame, 1, 1 + skip, 1 + entry.length);
      }
      out.push({ frame, length });
      budget -= length;
    }
    return out;
  }

  /** Drops everything (the session is gone). */
  clear(): void {
    for (let i = this.#head; i < this.#entries.length; i += 1) {
      const entry = this.#entries[i];
      if (entry !== undefined) this.pool.release(entry.frame);
    }
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#start = this.#end;
  }

  #find(offset: number): number {
    // Binary search over live entries for the one containing `offset`.
    let low = this.#head;
    let high = this.#entries.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      const entry = this.#entries[mid];
      if (entry !== undefined && entry.offset <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  #push(entry: Entry): void {
    this.#entries.push(entry);
    this.#bytes += memoryOf(entry.frame) + ENTRY_OVERHEAD_BYTES;
  }

  #close(): void {
    const tail = this.#entries[this.#entries.length - 1];
    if (tail !== undefined) tail.open = false;
  }

  #evict(): void {
    while (this.#bytes > this.budget && this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head];
      if (entry === undefined || entry.offset + entry.length > this.#pin) break;
      this.#entries[this.#head] = undefined;
      this.#head += 1;
      this.#bytes -= memoryOf(entry.frame) + ENTRY_OVERHEAD_BYTES;
      this.#start = entry.offset + entry.length;
      this.pool.release(entry.frame);
    }
    if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** What a frame keeps in memory: all of a pooled frame, not only the part in use. */
function memoryOf(frame: Buffer): number {
  return frame.buffer.byteLength;
}
