// Bounding what one client address can make us write. Refused requests need no credential, so an
// attacker can cause them as fast as it can connect: each address gets its first few records per
// window, then one summary with how many were left out — the disk fills no faster than that.

export interface ThrottleOptions {
  /** Records admitted per address per window. */
  perWindow: number;
  windowMs: number;
  /** Addresses tracked at once; beyond, the excess is counted together under no address. */
  maxAddresses: number;
}

interface Window {
  start: number;
  count: number;
  suppressed: number;
}

/** Called with the records left out of a window that has ended. */
export type SummaryWriter = (from: string | undefined, suppressed: number, since: number) => void;

/** Sentinel key for what arrived while every slot was taken. */
const OVERFLOW = Symbol('overflow');

export class AddressThrottle {
  readonly #windows = new Map<string | typeof OVERFLOW, Window>();

  constructor(
    private readonly options: ThrottleOptions,
    private readonly summarize: SummaryWriter,
  ) {}

  /** Whether a record from `from` may be written now; counts it as left out if not. */
  admit(from: string | undefined): boolean {
    const now = Date.now();
    const key = from ?? 'unknown';
    let window = this.#windows.get(key);
    if (window !== undefined && now - window.start >= this.options.windowMs) {
      this.#end(key, window);
      window = undefined;
    }
    if (window === undefined) {
      if (this.#windows.size >= this.options.maxAddresses) this.flush(now);
      if (this.#windows.size >= this.options.maxAddresses) {
        this.#count(OVERFLOW, now);
        return false;
      }
      window = { start: now, count: 0, suppressed: 0 };
      this.#windows.set(key, window);
    }
    if (window.count < this.options.perWindow) {
      window.count += 1;
      return true;
    }
    window.suppressed += 1;
    return false;
  }

  /** Ends every window that is over (all of them when `now` is Infinity), writing its summary. */
  flush(now = Date.now()): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.options.windowMs) this.#end(key, window);
    }
  }

  #count(key: typeof OVERFLOW, now: number): void {
    const window = this.#windows.get(key);
    if (window === undefined) this.#windows.set(key, { start: now, count: 0, suppressed: 1 });
    else window.suppressed += 1;
  }

  #end(key: string | typeof OVERFLOW, window: Window): void {
    this.#windows.delete(key);
    if (window.suppressed > 0)
      this.summarize(key === OVERFLOW ? undefined : key, window.suppressed, window.start);
  }
}
