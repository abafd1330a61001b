// Follows the frame boundaries of a server→client WebSocket byte stream that the entry node relays
// without decoding it, so that when the owner goes away the entry can still end the client's
// stream with a proper close frame (4010) — which it may only write between two frames.
const OPCODE_CLOSE = 0x8;

export class FrameTracker {
  /** Bytes of the current frame's header seen so far (at most 14). */
  #header: number[] = [];
  /** Payload bytes of the current frame still to come. */
  #payloadLeft = 0;
  /** Whether a close frame has begun: after it, nothing more may be written. */
  closeSeen = false;

  /** Whether the bytes seen so far end exactly at a frame boundary. */
  get atBoundary(): boolean {
    return this.#header.length === 0 && this.#payloadLeft === 0;
  }

  push(chunk: Buffer): void {
    let index = 0;
    while (index < chunk.length) {
      if (this.#payloadLeft > 0) {
        const take = Math.min(this.#payloadLeft, chunk.length - index);
        this.#payloadLeft -= take;
        index += take;
        continue;
      }
      this.#header.push(chunk[index] ?? 0);
      index += 1;
      const length = this.#headerLength();
      if (length !== undefined && this.#header.length === length) this.#startPayload();
    }
  }

  /** The full header's length once its first two bytes are known. */
  #headerLength(): number | undefined {
    if (this.#header.length < 2) return undefined;
    const second = this.#header[1] ?? 0;
    const len7 = second & 0x7f;
    const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    return 2 + extended + ((second & 0x80) !== 0 ? 4 : 0);
  }

  #startPayload(): void {
    const [first = 0, second = 0] = this.#header;
    if ((first & 0x0f) === OPCODE_CLOSE) this.closeSeen = true;
    const len7 = second & 0x7f;
    let length = len7;
    if (len7 === 126) length = ((this.#header[2] ?? 0) << 8) | (this.#header[3] ?? 0);
    else if (len7 === 127) {
      length = 0;
      for (let i = 2; i < 10; i += 1) length = length * 256 + (this.#header[i] ?? 0);
    }
    this.#payloadLeft = length;
    this.#header = [];
  }
}

/** An unmasked (server) close frame with `code` and a short UTF-8 `reason`. */
export function closeFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason.slice(0, 100), 'utf8');
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return Buffer.concat([Buffer.from([0x80 | OPCODE_CLOSE, payload.length]), payload]);
}
