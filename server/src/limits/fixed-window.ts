// Counting events per key in fixed windows, bounded in memory. Shared by the limiters that must not
// let a client grow them without bound: failed authentications per address (auth/rate-limit.ts)
// and refusal records per address (log/throttle.ts). A key's window starts at its first event and
// ends `windowMs` later; the next event after that starts a fresh one.

export interface FixedWindow {
  /** When the window's first event happened (the clock's milliseconds). */
  readonly start: number;
  /** Events counted in the window so far. */
  readonly count: number;
}

/**
 * What to do with an event of a new key when `maxKeys` windows are live: forget the oldest window
 * to make room (an attacker cycling keys is no worse off than a fresh key), or count nothing and
 * report it (the caller decides where the excess goes).
 */
export type WhenFull = 'forget-oldest' | 'refuse-new';

export interface FixedWindowOptions<K> {
  windowMs: number;
  /** Windows kept at once. */
  maxKeys: number;
  whenFull: WhenFull;
  /** Milliseconds of a monotonic-enough clock; Date.now by default. */
  now?: () => number;
  /** Called with each window that ends because its time is over (not when one is forgotten). */
  onEnd?: (key: K, window: FixedWindow) => void;
}

interface MutableWindow {
  start: number;
  count: number;
}

export class FixedWindowCounter<K> {
  readonly #windows = new Map<K, MutableWindow>();
  readonly #options: FixedWindowOptions<K>;
  readonly #now: () => number;

  constructor(options: FixedWindowOptions<K>) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The live window of `key`, ending it first if its time is over; undefined when there is none. */
  current(key: K): FixedWindow | undefined {
    return this.#live(key);
  }

  /**
   * Counts one event for `key` and returns its window's count including it; undefined when the
   * event started no window because every slot is taken and `whenFull` is 'refuse-new'.
   */
  hit(key: K): number | undefined {
    const live = this.#live(key);
    if (live !== undefined) {
      live.count += 1;
      return live.count;
    }
    const now = this.#now();
    if (this.#windows.size >= this.#options.maxKeys) this.sweep(now);
    if (this.#windows.size >= this.#options.maxKeys) {
      if (this.#options.whenFull === 'refuse-new') return undefined;
      const oldest = this.#windows.keys().next();
      if (oldest.done !== true) this.#windows.delete(oldest.value);
    }
    this.#windows.set(key, { start: now, count: 1 });
    return 1;
  }

  /** Ends every window whose time is over at `now` (all of them when `now` is Infinity). */
  sweep(now = this.#now()): void {
    for (const [key, window] of this.#windows) {
      if (this.#over(window, now)) this.#end(key, window);
    }
  }

  #live(key: K): MutableWindow | undefined {
    const window = this.#windows.get(key);
    if (window === undefined) return undefined;
    if (this.#over(window, this.#now())) {
      this.#end(key, window);
      return undefined;
    }
    return window;
  }

  #over(window: MutableWindow, now: number): boolean {
    return now - window.start >= this.#options.windowMs;
  }

  #end(key: K, window: MutableWindow): void {
    this.#windows.delete(key);
    this.#options.onEnd?.(key, window);
  }
}
