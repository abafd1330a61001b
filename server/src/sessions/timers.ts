// A session's timers, by name, in one place: arming one replaces the previous timer of that name,
// and `clearAll()` ends every one of them, so none outlives the session or is forgotten in a list.
// Timers are unref'd: a session never keeps the gateway alive on its own.
export class NamedTimers<Name extends string> {
  readonly #timers = new Map<Name, NodeJS.Timeout>();

  /** Runs `callback` after `ms`, replacing any timer of the same name. */
  set(name: Name, ms: number, callback: () => void): void {
    this.clear(name);
    const timer = setTimeout(() => {
      this.#timers.delete(name);
      callback();
    }, ms);
    timer.unref();
    this.#timers.set(name, timer);
  }

  has(name: Name): boolean {
    return this.#timers.has(name);
  }

  clear(name: Name): void {
    clearTimeout(this.#timers.get(name));
    this.#timers.delete(name);
  }

  clearAll(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
