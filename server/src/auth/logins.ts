// Cookie logins: the cookie carries a random login id mapped here to an identity — never the token,
// so a stolen cookie dies with logout or expiry and the token itself never sits in a browser jar.
import { randomBytes } from 'node:crypto';
import type { Principal } from './principal.js';

export const COOKIE_NAME = 'shellgate_session';
/** Logins kept at once; the oldest is forgotten first (bounds memory under login floods). */
const MAX_LOGINS = 10_000;

interface Login {
  principal: Principal;
  expiresAt: number;
}

export class LoginStore {
  readonly #logins = new Map<string, Login>();

  constructor(
    private readonly ttlMs: number,
    /** Milliseconds since the epoch; injectable so that expiry can be tested without waiting. */
    private readonly now: () => number = Date.now,
  ) {}

  create(principal: Principal): string {
    const id = randomBytes(32).toString('base64url');
    if (this.#logins.size >= MAX_LOGINS) {
      const oldest = this.#logins.keys().next();
      if (oldest.done !== true) this.#logins.delete(oldest.value);
    }
    this.#logins.set(id, { principal, expiresAt: this.now() + this.ttlMs });
    return id;
  }

  /** Takes on a login another fleet node created (docs/fleet.md), for the time it has left. */
  adopt(id: string, principal: Principal, leftMs: number): void {
    if (!this.#logins.has(id) && this.#logins.size >= MAX_LOGINS) {
      const oldest = this.#logins.keys().next();
      if (oldest.done !== true) this.#logins.delete(oldest.value);
    }
    this.#logins.set(id, { principal, expiresAt: this.now() + leftMs });
  }

  get(id: string): Principal | undefined {
    const login = this.#logins.get(id);
    if (login === undefined) return undefined;
    if (login.expiresAt <= this.now()) {
      this.#logins.delete(id);
      return undefined;
    }
    return login.principal;
  }

  /** When a login still held expires (ms since the epoch); undefined once it is gone. */
  expiresAt(id: string): number | undefined {
    return this.get(id) === undefined ? undefined : this.#logins.get(id)?.expiresAt;
  }

  delete(id: string): void {
    this.#logins.delete(id);
  }
}
