// What control clients typed into a pipe session, kept beside its output so that a reload or a
// viewer sees the questions with the answers (the `input` message, for clients that ask with
// `?input=N`). Each entry is numbered (`seq`) and placed at the output offset it came at; entries
// before the replay buffer's start are dropped with the output they preceded, and the log never
// holds more than `maxBytes` of text (the oldest go first).
//
// PTY sessions keep no log: their terminal driver echoes what should be seen, and does not echo
// what should not (a password prompt turns echo off).

export interface InputEntry {
  readonly seq: number;
  readonly at: number;
  readonly data: string;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export class InputLog {
  readonly #entries: InputEntry[] = [];
  /** Each entry's size as received, in the same order. */
  readonly #sizes: number[] = [];
  #bytes = 0;
  #nextSeq = 0;

  constructor(private readonly maxBytes: number) {}

  /** The seq the next entry will get (= how many were ever recorded). */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  record(at: number, data: Uint8Array): InputEntry {
    const entry = { seq: this.#nextSeq, at, data: decoder.decode(data) };
    this.#nextSeq += 1;
    this.#entries.push(entry);
    this.#sizes.push(data.byteLength);
    this.#bytes += data.byteLength;
    while (this.#bytes > this.maxBytes && this.#entries.length > 1) this.#dropOldest();
    return entry;
  }

  /** Forgets the entries placed before `offset` (the output they preceded is gone too). */
  dropBefore(offset: number): void {
    for (let first = this.#entries[0]; first !== undefined && first.at < offset; first = this.#entries[0])
      this.#dropOldest();
  }

  /** The entries from `seq` on that go before output offset `offset`, in order. */
  due(seq: number, offset: number): InputEntry[] {
    return this.#entries.filter((entry) => entry.seq >= seq && entry.at <= offset);
  }

  /** The offset of the first entry from `seq` on, or null when there is none. */
  nextAt(seq: number): number | null {
    return this.#entries.find((entry) => entry.seq >= seq)?.at ?? null;
  }

  clear(): void {
    this.#entries.length = 0;
    this.#sizes.length = 0;
    this.#bytes = 0;
  }

  #dropOldest(): void {
    this.#entries.shift();
    this.#bytes -= this.#sizes.shift() ?? 0;
  }
}
