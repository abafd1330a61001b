// Failed-authentication limiting per client address (logins and bearer tokens): a fixed one-minute
// window, bounded in memory.
const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

export class FailureLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  /** Whether `key` has used up its failures for the current window. */
  blocked(key: string): boolean {
    const window = this.#windows.get(key);
    if (window === undefined) return false;
    if (Date.now() - window.start >= WINDOW_MS) {
      this.#windows.delete(key);
      return false;
    }
    return window.count >= this.perMinute;
  }

  fail(key: string): void {
    const now = Date.now();
    const window = this.#windows.get(key);
    if (window === undefined || now - window.start >= WINDOW_MS) {
      if (this.#windows.size >= MAX_TRACKED) this.#prune(now);
      this.#windows.set(key, { start: now, count: 1 });
    } else {
      window.count += 1;
    }
  }

  #prune(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start >= WINDOW_MS) this.#windows.delete(key);
    }
    // Still full: forget the oldest rather than grow without bound.
    const oldest = this.#windows.keys().next();
    if (this.#windows.size >= MAX_TRACKED && oldest.done !== true) this.#windows.delete(oldest.value);
  }
}
