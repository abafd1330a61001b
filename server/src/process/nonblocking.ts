import { Process } from './process.js';
import type { ExitStatus, TerminateOptions, TerminateResult } from './types.js';

export interface NonblockingOptions {
  env?: NodeJS.ProcessEnv;
}

const NEWLINE = 0x0a;

/**
 * The line-oriented wrapper of the original (`nonblockingProcess`): write strings, take complete
 * lines as they arrive, never block. stderr is discarded. Output arrives through the event loop, so
 * a caller polling `readline()` must yield (await something) between attempts.
 */
export class NonblockingProcess {
  readonly #process: Process;
  /** Output not yet returned as lines, oldest first. */
  #chunks: Buffer[] = [];
  /** Chunks before this index hold no newline: a long line is searched once, not on every poll. */
  #searched = 0;

  constructor(argv: string[] | string, options: NonblockingOptions = {}) {
    this.#process = new Process(argv, { env: options.env, stdio: ['pipe', 'pipe', 'ignore'] });
  }

  get pid(): number {
    return this.#process.pid;
  }

  write(s: string): void {
    this.#process.write(s);
  }

  /** A complete line without its newline, or `null` if none has arrived yet. */
  readline(): string | null {
    const found = this.#findNewline();
    if (found === null) return null;
    const [index, end] = found;
    const last = this.#chunks[index] ?? Buffer.alloc(0);
    // Split on bytes, decode whole lines: a UTF-8 character split across chunks stays intact.
    const line = Buffer.concat([...this.#chunks.slice(0, index), last.subarray(0, end)]).toString('utf8');
    const rest = last.subarray(end + 1);
    this.#chunks = [...(rest.length > 0 ? [rest] : []), ...this.#chunks.slice(index + 1)];
    this.#searched = 0;
    return line;
  }

  hasLine(): boolean {
    return this.#findNewline() !== null;
  }

  isAlive(): boolean {
    try {
      return this.#process.poll() === null;
    } catch {
      return false; // it never started
    }
  }

  closeInput(): void {
    this.#process.closeInput();
  }

  wait(): Promise<ExitStatus> {
    return this.#process.wait();
  }

  terminate(options?: TerminateOptions): Promise<TerminateResult> {
    return this.#process.terminate(options);
  }

  /** Takes what arrived, then finds the first newline: [chunk index, offset in it], or null. */
  #findNewline(): [number, number] | null {
    const data = this.#process.read();
    if (data.length > 0) this.#chunks.push(data);
    for (; this.#searched < this.#chunks.length; this.#searched += 1) {
      const end = this.#chunks[this.#searched]?.indexOf(NEWLINE) ?? -1;
      if (end !== -1) return [this.#searched, end];
    }
    return null;
  }
}
