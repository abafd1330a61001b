// Gathers a session's output before it is framed. A PTY delivers ~4 KiB per read, one read per
// event-loop turn, and per-frame costs (a copy, a replay entry, a socket write per client, a
// message to the screen worker) would otherwise dominate. Sparse output — an echo, a prompt — is
// framed at the end of the current turn; while output streams (the last frame went out less than
// STREAMING_GAP_MS ago), it is gathered for up to STREAMING_DELAY_MS or COALESCE_BYTES. Output
// after input is an answer (an echo, a keystroke's effect) and is never held back: a client that
// waits for it before typing on would otherwise wait a timer tick (1-2 ms) every time.
import type { FrameType } from '@shellgate/shared';

/** Output gathered into one frame at most: PTY reads (~4 KiB); a pipe read is framed as it comes. */
const COALESCE_BYTES = 64 * 1024;
/** A read this large is framed at once, whatever its size: gathering it only copies it. */
const FRAME_AT_ONCE_BYTES = 16 * 1024;
/** Output this soon after the previous frame counts as a stream, and is gathered a little. */
const STREAMING_GAP_MS = 2;
/** The longest streaming output waits to fill a frame. */
const STREAMING_DELAY_MS = 1;

export class OutputCoalescer {
  /** Output not yet framed, all of one stream. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #pendingType: FrameType | null = null;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #lastFlushAt = 0;
  /** Input went to the child since the last frame: its output is an answer, sent without delay. */
  #answering = false;
  /**
   * Pushed chunks are lent (a pipe read into a reused buffer, lent-pipe.ts): one kept past its
   * `push` is copied. A chunk framed at once is not: framing copies it into the replay buffer.
   */
  lent = false;

  /** `frame` receives each gathered chunk, in order. */
  constructor(private readonly frame: (type: FrameType, data: Buffer) => void) {}

  /** The next output answers input: frame it without delay. */
  answering(): void {
    this.#answering = true;
  }

  push(type: FrameType, data: Buffer): void {
    // A frame never grows past COALESCE_BYTES by gathering: the replay buffer and a viewer's lag
    // may overshoot their bounds by one frame, documented as at most one read (256 KiB).
    if (
      this.#pendingType !== type ||
      (this.#pendingBytes > 0 && this.#pendingBytes + data.length > COALESCE_BYTES)
    )
      this.flush();
    this.#pendingType = type;
    this.#pendingBytes += data.length;
    const now = this.#pendingBytes >= COALESCE_BYTES || data.length >= FRAME_AT_ONCE_BYTES;
    this.#pending.push(now || !this.lent ? data : Buffer.from(data));
    if (now) {
      this.flush();
      return;
    }
    if (this.#timer !== undefined || this.#immediate !== undefined) return;
    if (!this.#answering && performance.now() - this.#lastFlushAt < STREAMING_GAP_MS) {
      this.#timer = setTimeout(() => this.flush(), STREAMING_DELAY_MS);
    } else {
      this.#immediate = setImmediate(() => this.flush());
    }
  }

  /** Frames whatever is gathered now. */
  flush(): void {
    this.#cancel();
    this.#lastFlushAt = performance.now();
    const type = this.#pendingType;
    const pending = this.#pending;
    if (type === null || pending.length === 0) return;
    this.#answering = false;
    const data = pending.length === 1 ? pending[0] : Buffer.concat(pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingType = null;
    if (data !== undefined) this.frame(type, data);
  }

  /** Drops what is gathered and its timers (the session is gone). */
  dispose(): void {
    this.#cancel();
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingType = null;
  }

  #cancel(): void {
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }
}
