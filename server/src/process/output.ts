import type { Readable } from 'node:stream';
import { DRAIN_IDLE_MS } from './constants.js';
import { Listeners } from './listeners.js';
import type { OutputChunk, OutputStream } from './types.js';

/**
 * A reason to stop reading the child's pipes. Reading happens only while no one holds it back:
 * the caller's `pauseOutput()`, a stream's own high-water mark, a slow async iterator. While it
 * is held back the pipe fills and the child blocks on write — nothing is ever dropped.
 */
export type Hold = string | symbol;

export const PAUSED: Hold = 'paused';
const HIGH_WATER: Hold = 'highWaterMark';

/** Where a stream's bytes come from: a child's pipe, or a pseudo-terminal. */
export interface OutputSource {
  /** Its chunks are lent: valid only until `onData` returns (lent-pipe.ts). */
  readonly lends?: boolean;
  /**
   * Calls `onData` for each chunk and `onEnd` after the last; `onEnd` may come twice ('end', then
   * 'close'), which the caller ignores: `on` instead of `once` saves a wrapper and a bound function
   * per listener, and every session holds these for its whole life.
   */
  start(onData: (data: Buffer) => void, onEnd: () => void): void;
  pause(): void;
  resume(): void;
  destroy(): void;
}

/** A child's pipe as a source; `null` (not a pipe) stays `null`, a stream that has already ended. */
export function pipeSource(stream: Readable | null): OutputSource | null {
  if (stream === null) return null;
  return {
    start(onData, onEnd) {
      stream.on('data', onData);
      stream.on('end', onEnd);
      // 'close' also covers a pipe destroyed by an error (EIO) or abandoned after exit.
      stream.on('close', onEnd);
      stream.on('error', () => {});
    },
    pause: () => void stream.pause(),
    resume: () => void stream.resume(),
    destroy: () => void stream.destroy(),
  };
}

export interface OutputOptions {
  collect: boolean;
  highWaterMark: number;
}

/** The child's stdout and stderr: collected for `read*()`, relayed to subscribers, drained at exit. */
export class Output {
  /** Every chunk, in arrival order across both streams. */
  readonly chunks = new Listeners<OutputChunk>();
  readonly #stdout: Pipe;
  readonly #stderr: Pipe;
  readonly #pipes: readonly Pipe[];
  readonly #options: OutputOptions;
  /** Chunks may be lent (see OutputSource): what outlives a `chunks` listener's call is a copy. */
  readonly lends: boolean;
  /** Told once, when the output is drained. */
  readonly #owner: { outputDrained(): void };
  #drained = false;
  #exited = false;
  #drainTimer: NodeJS.Timeout | undefined;
  #drainGeneration = 0;
  /** Made at the first wait (an empty Set is ~150 bytes, and most processes are never waited on). */
  #settledWaiters: Set<() => void> | undefined;

  constructor(
    stdout: OutputSource | null,
    stderr: OutputSource | null,
    options: OutputOptions,
    owner: { outputDrained(): void },
  ) {
    this.#options = options;
    this.#owner = owner;
    this.#stdout = new Pipe('stdout', stdout, this);
    this.#stderr = new Pipe('stderr', stderr, this);
    this.#pipes = [this.#stdout, this.#stderr];
    this.lends = stdout?.lends === true || stderr?.lends === true;
    this.pipeEnded();
  }

  /** Both pipes reached end-of-file, or were abandoned after the child exited. */
  get drained(): boolean {
    return this.#drained;
  }

  /**
   * Resolves once every pipe has either ended or is held back: all the output the core is allowed
   * to read right now has been read. (`drained` also waits for what is held back.)
   */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#isSettled()) resolve();
      else (this.#settledWaiters ??= new Set()).add(resolve);
    });
  }

  /** Returns and forgets what `stream` collected so far. */
  take(stream: OutputStream): Buffer {
    const pipe = stream === 'stdout' ? this.#stdout : this.#stderr;
    const data = pipe.take();
    // Only a pipe that starts reading again restarts the quiet period: reading what was collected
    // is not output, and a caller polling faster than the period must not keep wait() pending.
    if (pipe.release(HIGH_WATER)) this.#armDrainTimer();
    return data;
  }

  hold(reason: Hold): void {
    for (const pipe of this.#pipes) pipe.hold(reason);
    this.#armDrainTimer();
    this.#checkSettled();
  }

  release(reason: Hold): void {
    let resumed = false;
    for (const pipe of this.#pipes) resumed = pipe.release(reason) || resumed;
    if (resumed) this.#armDrainTimer();
  }

  /**
   * The child has exited. Its own last output is already in the pipes; whatever keeps them open
   * now is a descendant that inherited them, and `wait()` must not hang on it forever.
   */
  afterExit(): void {
    this.#exited = true;
    this.#armDrainTimer();
  }

  /** Spawn failed: there is nothing to read. */
  abandon(): void {
    for (const pipe of this.#pipes) pipe.destroy();
  }

  /** @internal Called by a pipe for each chunk it reads. */
  receive(pipe: Pipe, data: Buffer): void {
    if (this.#options.collect) {
      pipe.store(this.lends ? Buffer.from(data) : data);
      if (pipe.size >= this.#options.highWaterMark) {
        pipe.hold(HIGH_WATER);
        this.#checkSettled();
      }
    }
    this.chunks.emit({ stream: pipe.name, data });
    // Output still arriving after exit restarts the idle period.
    if (this.#exited) this.#armDrainTimer();
  }

  /** @internal Called by a pipe when it ends. */
  pipeEnded(): void {
    this.#checkSettled();
    if (this.#pipes.every((pipe) => pipe.ended)) {
      clearTimeout(this.#drainTimer);
      if (this.#drained) return;
      this.#drained = true;
      this.#owner.outputDrained();
    }
  }

  #isSettled(): boolean {
    return this.#pipes.every((pipe) => pipe.ended || pipe.held);
  }

  #checkSettled(): void {
    const waiters = this.#settledWaiters;
    if (waiters === undefined || waiters.size === 0 || !this.#isSettled()) return;
    for (const resolve of waiters) resolve();
    waiters.clear();
  }

  // Counts only time during which reading is allowed: a paused consumer must not lose output.
  // Before the exit there is no timer to rearm: return at once, as this runs for every read and,
  // with an async iterator, for every chunk.
  #armDrainTimer(): void {
    if (!this.#exited) return;
    this.#drainGeneration += 1;
    clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    const open = this.#pipes.filter((pipe) => !pipe.ended);
    if (open.length === 0 || open.some((pipe) => pipe.held)) return;
    const generation = this.#drainGeneration;
    this.#drainTimer = setTimeout(() => {
      // After a stall of the event loop the timer may run before the poll phase has read what is
      // waiting in the pipe: look once more after that phase, and give up only if nothing came.
      setImmediate(() => {
        if (generation !== this.#drainGeneration) return;
        for (const pipe of open) pipe.destroy();
      });
    }, DRAIN_IDLE_MS);
    // Only a pipe still held open by a descendant makes this timer matter, and that pipe keeps the
    // event loop alive by itself.
    this.#drainTimer.unref();
  }
}

/** One output stream of the child. A stream that is not a pipe is one that has already ended. */
class Pipe {
  readonly name: OutputStream;
  readonly #source: OutputSource | null;
  /** Made at the first hold: a pipe that is never paused has no Set (~150 bytes each). */
  #holds: Set<Hold> | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  ended: boolean;

  constructor(name: OutputStream, source: OutputSource | null, owner: Output) {
    this.name = name;
    this.#source = source;
    this.ended = source === null;
    source?.start(
      (data) => owner.receive(this, data),
      () => {
        if (this.ended) return;
        this.ended = true;
        owner.pipeEnded();
      },
    );
  }

  get size(): number {
    return this.#size;
  }

  get held(): boolean {
    return this.#holds !== undefined && this.#holds.size > 0;
  }

  store(data: Buffer): void {
    this.#chunks.push(data);
    this.#size += data.length;
  }

  take(): Buffer {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#size = 0;
    const [first] = chunks;
    return chunks.length === 1 && first !== undefined ? first : Buffer.concat(chunks);
  }

  hold(reason: Hold): void {
    const holds = (this.#holds ??= new Set());
    holds.add(reason);
    if (holds.size === 1) this.#source?.pause();
  }

  /** Returns whether this released the last hold, so that reading starts again. */
  release(reason: Hold): boolean {
    const holds = this.#holds;
    if (holds === undefined || !holds.delete(reason) || holds.size > 0) return false;
    this.#source?.resume();
    return true;
  }

  destroy(): void {
    this.#source?.destroy();
  }
}
