// The bytes of one write to a recording's file, encoded straight into a reused buffer. Strings
// concatenated into a batch and then encoded for the write cost two more copies of every byte and,
// at relay rates, most of the recorder's garbage: the gateway runs with a small young generation
// (docs/operations.md), where each copy of a 64 KiB chunk is a scavenge closer.
export class WriteBatch {
  #buffer: Buffer | undefined;
  #length = 0;

  constructor(private readonly initialBytes: number) {}

  get length(): number {
    return this.#length;
  }

  /** Appends `text` as UTF-8. `maxBytes`: an upper bound of its encoded size (3 per UTF-16 unit). */
  append(text: string, maxBytes = text.length * 3): void {
    const buffer = this.#room(maxBytes);
    this.#length += buffer.write(text, this.#length, 'utf8');
  }

  /** Appends bytes already encoded (an escaped JSON literal, ascii-json.ts): a copy. */
  appendBytes(bytes: Uint8Array): void {
    this.#room(bytes.byteLength).set(bytes, this.#length);
    this.#length += bytes.byteLength;
  }

  /** What was appended since the last reset: a view, valid until the next append or reset. */
  bytes(): Uint8Array {
    return (this.#buffer ?? Buffer.alloc(0)).subarray(0, this.#length);
  }

  reset(): void {
    this.#length = 0;
  }

  /**
   * Lets the buffer go (the recording ended). It is kept until then: allocating it anew for each
   * write made the GC count its external memory again and again, and collect far more often.
   */
  release(): void {
    this.#buffer = undefined;
    this.#length = 0;
  }

  #room(bytes: number): Buffer {
    const needed = this.#length + bytes;
    const buffer = this.#buffer;
    if (buffer !== undefined && buffer.length >= needed) return buffer;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.initialBytes, (buffer?.length ?? 0) * 2));
    buffer?.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
    return grown;
  }
}
