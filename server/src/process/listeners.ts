import type { Disposable } from './types.js';

/**
 * A set of listeners whose `add` returns a disposable. A listener that throws must neither stop the
 * others nor corrupt the caller's bookkeeping, yet must not vanish: it is rethrown on its own.
 */
export class Listeners<T> {
  readonly #listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): Disposable {
    // A fresh wrapper, so the same function added twice is two subscriptions.
    const entry = (value: T): void => listener(value);
    this.#listeners.add(entry);
    return { dispose: () => void this.#listeners.delete(entry) };
  }

  emit(value: T): void {
    for (const listener of this.#listeners) {
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
