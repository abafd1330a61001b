// Input rate limiting per session: a token bucket holding at most one second's worth of bytes.
export class TokenBucket {
  #tokens: number;
  #last = performance.now();

  constructor(private readonly perSecond: number) {
    this.#tokens = perSecond;
  }

  /** Takes `amount` if available; otherwise takes nothing and returns false. */
  take(amount: number): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.perSecond, this.#tokens + ((now - this.#last) * this.perSecond) / 1000);
    this.#last = now;
    if (amount > this.#tokens) return false;
    this.#tokens -= amount;
    return true;
  }
}
