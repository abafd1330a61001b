// Bounding what one client address can make us write. Refused requests need no credential, so an
// attacker can cause them as fast as it can connect: each address gets its first few records per
// window, then one summary with how many were left out — the disk fills no faster than that.
import { FixedWindowCounter } from '../limits/fixed-window.js';

export interface ThrottleOptions {
  /** Records admitted per address per window. */
  perWindow: number;
  windowMs: number;
  /** Addresses tracked at once; beyond, the excess is counted together under no address. */
  maxAddresses: number;
  /** Milliseconds of the clock windows are measured on; Date.now by default. */
  now?: () => number;
}

/** Called with the records left out of a window that has ended. */
export type SummaryWriter = (from: string | undefined, suppressed: number, since: number) => void;

export class AddressThrottle {
  readonly #records: FixedWindowCounter<string>;
  /** What arrived while every address slot was taken: counted together, summarized per window. */
  #overflow: { start: number; suppressed: number } | undefined;
  readonly #now: () => number;

  constructor(
    private readonly options: ThrottleOptions,
    private readonly summarize: SummaryWriter,
  ) {
    this.#now = options.now ?? Date.now;
    this.#records = new FixedWindowCounter({
      windowMs: options.windowMs,
      maxKeys: options.maxAddresses,
      // A new address must not push out one whose summary is still owed.
      whenFull: 'refuse-new',
      now: this.#now,
      onEnd: (from, window) => {
        const suppressed = window.count - options.perWindow;
        if (suppressed > 0) summarize(from, suppressed, window.start);
      },
    });
  }

  /** Whether a record from `from` may be written now; counts it as left out if not. */
  admit(from: string | undefined): boolean {
    const count = this.#records.hit(from ?? 'unknown');
    if (count !== undefined) return count <= this.options.perWindow;
    const now = this.#now();
    this.#endOverflow(now);
    if (this.#overflow === undefined) this.#overflow = { start: now, suppressed: 1 };
    else this.#overflow.suppressed += 1;
    return false;
  }

  /** Ends every window that is over (all of them when `now` is Infinity), writing its summary. */
  flush(now = this.#now()): void {
    this.#records.sweep(now);
    this.#endOverflow(now);
  }

  #endOverflow(now: number): void {
    const overflow = this.#overflow;
    if (overflow !== undefined && now - overflow.start >= this.options.windowMs) {
      this.#overflow = undefined;
      this.summarize(undefined, overflow.suppressed, overflow.start);
    }
  }
}
