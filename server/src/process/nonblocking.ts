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
  #pending: Buffer = Buffer.alloc(0);

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
    this.#pull();
    const end = this.#pending.indexOf(NEWLINE);
    if (end === -1) return null;
    // Split on bytes, decode whole lines: a UTF-8 character split across chunks stays intact.
    const line = this.#pending.subarray(0, end).toString('utf8');
    this.#pending = this.#pending.subarray(end + 1);
    return line;
  }

  hasLine(): boolean {
    this.#pull();
    return this.#pending.includes(NEWLINE);
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

  #pull(): void {
    const data = this.#process.read();
    if (data.length > 0) this.#pending = Buffer.concat([this.#pending, data]);
  }
}
