// Where the client is in the output stream, across reconnects: the one piece of state that makes
// every byte arrive exactly once.
//
//   offsets:  0 ……… handed to the consumer ……… resumeOffset
//                                      position ┘ (of the current connection; behind resumeOffset
//                                                  while a resume from behind is resent)
//
// A reconnect asks for `resumeOffset`. The gateway may answer from further back (its hello names
// the offset it starts at): the overlap is dropped frame by frame. It may answer from further on
// (a `gap` follows), or with a snapshot (a PTY screen that stands for everything before it).

export class StreamCursor {
  #resume: number | null;
  #position = 0;

  /** `start`: the offset to ask for on the first connection; null lets the gateway choose. */
  constructor(start: number | null = null) {
    this.#resume = start;
  }

  /** The offset to ask for on the next connection: just past the last byte handed on. */
  get resumeOffset(): number | null {
    return this.#resume;
  }

  /** Stream offset just past the last byte this connection received. */
  get position(): number {
    return this.#position;
  }

  /** A `hello` starting at `offset`. Returns whether it resumed the stream (no snapshot, no first). */
  hello(offset: number, snapshot: boolean): boolean {
    const requested = this.#resume;
    // Behind what we have: the overlap is dropped frame by frame. Ahead: a `gap` follows.
    if (requested === null || snapshot || offset > requested) this.#resume = offset;
    this.#position = offset;
    return requested !== null && !snapshot;
  }

  /** A `gap`: bytes before `to` will never arrive. */
  gap(to: number): void {
    this.#position = Math.max(this.#position, to);
    this.#resume = Math.max(this.#resume ?? 0, to);
  }

  /**
   * An output frame's payload: the part not handed on before (all of it, a tail, or undefined when
   * the whole frame was resent). Its end offset is then `resumeOffset`.
   */
  output(payload: Uint8Array): Uint8Array | undefined {
    const start = this.#position;
    const end = start + payload.byteLength;
    this.#position = end;
    const next = this.#resume ?? start;
    if (end <= next) return undefined;
    this.#resume = end;
    return start < next ? payload.subarray(next - start) : payload;
  }
}
