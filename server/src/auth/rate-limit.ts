// Failed-authentication limiting per client address (logins and bearer tokens): a fixed one-minute
// window, bounded in memory. When every slot is taken the oldest address is forgotten: tracking a
// new guesser matters more than remembering an old one.
import { FixedWindowCounter } from '../limits/fixed-window.js';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

export class FailureLimiter {
  readonly #failures: FixedWindowCounter<string>;
  readonly #now: () => number;

  constructor(
    private readonly perMinute: number,
    now: () => number = Date.now,
  ) {
    this.#now = now;
    this.#failures = new FixedWindowCounter({
      windowMs: WINDOW_MS,
      maxKeys: MAX_TRACKED,
      whenFull: 'forget-oldest',
      now,
    });
  }

  /** Whether `key` has used up its failures for the current window. */
  blocked(key: string): boolean {
    return this.retryAfterSeconds(key) > 0;
  }

  /**
   * Whole seconds until `key` may try again (its window ends; rounded up, so a client that waits
   * this long is never refused again for the same window); 0 when it is not blocked.
   */
  retryAfterSeconds(key: string): number {
    const window = this.#failures.current(key);
    if (window === undefined || window.count < this.perMinute) return 0;
    return Math.max(1, Math.ceil((window.start + WINDOW_MS - this.#now()) / 1000));
  }

  fail(key: string): void {
    this.#failures.hit(key);
  }
}
