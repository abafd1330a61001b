import type { Disposable } from './types.js';

/** One `add`: its own object, so that the same function added twice is two subscriptions. */
class Subscription<T> implements Disposable {
  constructor(
    readonly listener: (value: T) => void,
    private readonly owner: Listeners<T>,
  ) {}

  dispose(): void {
    this.owner.remove(this);
  }
}

/**
 * A set of listeners whose `add` returns a disposable. A listener that throws must neither stop the
 * others nor corrupt the caller's bookkeeping, yet must not vanish: it is rethrown on its own.
 * A subscription is one object with its method on the prototype: every session's process holds
 * several for its whole life, and a wrapper closure plus a disposer closure cost ~150 bytes more.
 * For the same reason the first listener is kept apart: most of these have one for their whole
 * life, and a Set is ~150 bytes more. Listeners are called in the order they were added.
 */
export class Listeners<T> {
  #first: Subscription<T> | undefined;
  /** Added after `#first`, or while `#first` was in place; made at the second listener. */
  #more: Set<Subscription<T>> | undefined;

  add(listener: (value: T) => void): Disposable {
    const subscription = new Subscription(listener, this);
    if (this.#first === undefined && (this.#more === undefined || this.#more.size === 0)) {
      this.#first = subscription;
    } else {
      (this.#more ??= new Set()).add(subscription);
    }
    return subscription;
  }

  remove(subscription: Subscription<T>): void {
    if (this.#first === subscription) this.#first = undefined;
    else this.#more?.delete(subscription);
  }

  emit(value: T): void {
    const first = this.#first;
    if (first !== undefined) call(first.listener, value);
    if (this.#more === undefined) return;
    for (const { listener } of this.#more) call(listener, value);
  }
}

function call<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (error) {
    reportListenerError(error);
  }
}

export function reportListenerError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
