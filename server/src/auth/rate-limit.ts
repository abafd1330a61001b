// Failed-authentication limiting per client address (logins and bearer tokens): a fixed one-minute
// window, bounded in memory. When every slot is taken the oldest address is forgotten: tracking a
// new guesser matters more than remembering an old one.
import { FixedWindowCounter } from '../limits/fixed-window.js';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

export class FailureLimiter {
  readonly #failures: FixedWindowCounter<string>;

  constructor(
    private readonly perMinute: number,
    now?: () => number,
  ) {
    this.#failures = new FixedWindowCounter({
      windowMs: WINDOW_MS,
      maxKeys: MAX_TRACKED,
      whenFull: 'forget-oldest',
      now,
    });
  }

  /** Whether `key` has used up its failures for the current window. */
  blocked(key: string): boolean {
    return (this.#failures.current(key)?.count ?? 0) >= this.perMinute;
  }

  fail(key: string): void {
    this.#failures.hit(key);
  }
}
