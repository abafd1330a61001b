// A one-time result whose promise is made only when someone asks for it.
//
// Every process has three such results (started, exited, exited with all output read), and a
// session never awaits any of them: it listens instead. Eager promises with their resolvers,
// rejection guards and a Promise.all cost ~1.5 KiB per process that nobody used (docs/benchmarks.md,
// "Memory during a relay"). An unsettled Outcome is three fields; its promise, once asked for,
// settles with it.
import { deferred, type Deferred } from './deferred.js';

type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

export class Outcome<T> {
  #settled: Settled<T> | undefined;
  #promise: Promise<T> | undefined;
  /** The made promise's resolvers, until it settles. */
  #pending: Deferred<T> | undefined;

  get isSettled(): boolean {
    return this.#settled !== undefined;
  }

  /** The same promise every time it is asked for; a rejection is the asker's to handle. */
  get promise(): Promise<T> {
    if (this.#promise !== undefined) return this.#promise;
    const settled = this.#settled;
    if (settled === undefined) {
      this.#pending = deferred<T>();
      this.#promise = this.#pending.promise;
    } else {
      this.#promise = settled.ok ? Promise.resolve(settled.value) : Promise.reject(settled.error);
    }
    return this.#promise;
  }

  /** Settles it with `value`, unless it already settled. */
  resolve(value: T): void {
    if (this.#settled !== undefined) return;
    this.#settled = { ok: true, value };
    this.#pending?.resolve(value);
    this.#pending = undefined;
  }

  /** Settles it with `error`, unless it already settled. */
  reject(error: Error): void {
    if (this.#settled !== undefined) return;
    this.#settled = { ok: false, error };
    this.#pending?.reject(error);
    this.#pending = undefined;
  }
}
