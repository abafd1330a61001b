import { deferred, type Deferred } from './deferred.js';
import type { Listeners } from './listeners.js';
import type { Hold } from './output.js';
import type { Disposable, OutputChunk } from './types.js';

export interface IterationSource {
  chunks: Listeners<OutputChunk>;
  /** Settles after the last chunk was delivered; rejects when the process never started. */
  finished: Promise<unknown>;
  hold(reason: Hold): void;
  release(reason: Hold): void;
  /** Bytes an iterator may have queued before reading is held back for it. */
  limit: number;
  /** Chunks are lent (output.ts): an iterator keeps copies. */
  lends: boolean;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Output as an async iterable. It subscribes at once, so no chunk between the call and the first
 * `next()` is missed, and it ends after the last chunk. An iterator that falls more than `limit`
 * bytes behind holds back reading: the child, not the host's memory, absorbs the difference.
 * Leaving a `for await` loop early unsubscribes.
 */
export function iterateOutput(source: IterationSource): AsyncIterable<OutputChunk> {
  const iterator = new OutputIterator(source);
  return { [Symbol.asyncIterator]: () => iterator };
}

class OutputIterator implements AsyncIterator<OutputChunk, undefined> {
  readonly #source: IterationSource;
  readonly #subscription: Disposable;
  readonly #hold: Hold = Symbol('iterator backlog');
  #queue: OutputChunk[] = [];
  #queued = 0;
  #waiting: Deferred<IteratorResult<OutputChunk, undefined>>[] = [];
  #ended = false;
  #failure: { error: unknown } | null = null;

  constructor(source: IterationSource) {
    this.#source = source;
    this.#subscription = source.chunks.add((chunk) =>
      this.#push(source.lends ? { stream: chunk.stream, data: Buffer.from(chunk.data) } : chunk),
    );
    source.finished.then(
      () => this.#finish(null),
      (error: unknown) => this.#finish({ error }),
    );
  }

  async next(): Promise<IteratorResult<OutputChunk, undefined>> {
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#queued -= chunk.data.length;
      if (this.#queued <= this.#source.limit) this.#source.release(this.#hold);
      return { done: false, value: chunk };
    }
    if (this.#ended) {
      const failure = this.#failure;
      this.#failure = null; // reported once, then the iterator is simply done
      if (failure !== null) throw failure.error;
      return DONE;
    }
    const waiter = deferred<IteratorResult<OutputChunk, undefined>>();
    this.#waiting.push(waiter);
    return waiter.promise;
  }

  return(): Promise<IteratorResult<OutputChunk, undefined>> {
    this.#queue = [];
    this.#queued = 0;
    this.#failure = null;
    this.#finish(null);
    return Promise.resolve(DONE);
  }

  #push(chunk: OutputChunk): void {
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) return waiter.resolve({ done: false, value: chunk });
    this.#queue.push(chunk);
    this.#queued += chunk.data.length;
    if (this.#queued > this.#source.limit) this.#source.hold(this.#hold);
  }

  #finish(failure: { error: unknown } | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#failure = failure;
    this.#subscription.dispose();
    this.#source.release(this.#hold);
    for (const waiter of this.#waiting.splice(0)) {
      if (this.#failure === null) waiter.resolve(DONE);
      else {
        waiter.reject(this.#failure.error);
        this.#failure = null;
      }
    }
  }
}
