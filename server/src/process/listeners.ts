import type { Disposable } from './types.js';

/** One `add`: its own object, so that the same function added twice is two subscriptions. */
class Subscription<T> implements Disposable {
  constructor(
    readonly listener: (value: T) => void,
    private readonly set: Set<Subscription<T>>,
  ) {}

  dispose(): void {
    this.set.delete(this);
  }
}

/**
 * A set of listeners whose `add` returns a disposable. A listener that throws must neither stop the
 * others nor corrupt the caller's bookkeeping, yet must not vanish: it is rethrown on its own.
 * A subscription is one object with its method on the prototype: every session's process holds
 * several for its whole life, and a wrapper closure plus a disposer closure cost ~150 bytes more.
 */
export class Listeners<T> {
  readonly #subscriptions = new Set<Subscription<T>>();

  add(listener: (value: T) => void): Disposable {
    const subscription = new Subscription(listener, this.#subscriptions);
    this.#subscriptions.add(subscription);
    return subscription;
  }

  emit(value: T): void {
    for (const { listener } of this.#subscriptions) {
      try {
        listener(value);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }
}

export function reportListenerError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
