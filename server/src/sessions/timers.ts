// A session's timers, by name, in one place: arming one replaces the previous timer of that name,
// and `clearAll()` ends every one of them, so none outlives the session or is forgotten in a list.
// Timers are unref'd: a session never keeps the gateway alive on its own.
export class NamedTimers<Name extends string> {
  /**
   * Only while a timer is armed: a session's timers are mostly not (its idle timer ends when the
   * first client attaches), and a Map keeps its table, ~150 bytes, once emptied.
   */
  #timers: Map<Name, NodeJS.Timeout> | undefined;

  /** Runs `callback` after `ms`, replacing any timer of the same name. */
  set(name: Name, ms: number, callback: () => void): void {
    this.clear(name);
    const timer = setTimeout(() => {
      this.#forget(name);
      callback();
    }, ms);
    timer.unref();
    (this.#timers ??= new Map()).set(name, timer);
  }

  has(name: Name): boolean {
    return this.#timers?.has(name) ?? false;
  }

  clear(name: Name): void {
    clearTimeout(this.#timers?.get(name));
    this.#forget(name);
  }

  clearAll(): void {
    for (const timer of this.#timers?.values() ?? []) clearTimeout(timer);
    this.#timers = undefined;
  }

  #forget(name: Name): void {
    this.#timers?.delete(name);
    if (this.#timers?.size === 0) this.#timers = undefined;
  }
}
