// One way to decide who is asking, shared by HTTP routes and the WebSocket upgrade: a bearer token
// (scripts) or the login cookie (browsers). A present but wrong Authorization header never falls
// back to the cookie.
import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '@shellgate/shared';
import { parse as parseCookies } from 'cookie';
import { COOKIE_NAME } from './logins.js';
import type { LoginStore } from './logins.js';
import type { Principal } from './principal.js';
import type { FailureLimiter } from './rate-limit.js';
import type { TokenStore } from './tokens.js';

export type Credential = {
  principal: Principal;
  /** `fleet`: signed by another node of the fleet that authenticated the client (docs/fleet.md). */
  via: 'bearer' | 'cookie' | 'fleet';
  loginId?: string;
  /** `fleet`: the client's address as the entry node saw it. */
  from?: string;
};

export type AuthResult = { ok: true; credential: Credential } | { ok: false; reason: string };

/** What a login id looks like (logins.ts: 32 random bytes, base64url); nothing else is looked up. */
const LOGIN_ID = /^[A-Za-z0-9_-]{43}$/;

export class Authenticator {
  /**
   * Fleet mode (docs/fleet.md): where a login id this node does not hold is looked up — another
   * node of the fleet may have created it. Undefined outside fleet mode.
   */
  remoteLogins: ((loginId: string) => Promise<Principal | undefined>) | undefined;

  constructor(
    readonly tokens: TokenStore,
    readonly logins: LoginStore,
  ) {}

  /** `authenticate`, then, for a login cookie unknown here, the fleet's logins. */
  async authenticateAnywhere(request: IncomingMessage): Promise<AuthResult> {
    const result = this.authenticate(request);
    if (result.ok || this.remoteLogins === undefined || request.headers.authorization !== undefined)
      return result;
    const loginId = parseCookies(request.headers.cookie ?? '')[COOKIE_NAME];
    if (loginId === undefined || !LOGIN_ID.test(loginId)) return result;
    const principal = await this.remoteLogins(loginId);
    return principal === undefined ? result : { ok: true, credential: { principal, via: 'cookie', loginId } };
  }

  authenticate(request: IncomingMessage): AuthResult {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer +(\S+) *$/i.exec(header);
      if (match?.[1] === undefined)
        return { ok: false, reason: 'the Authorization header must be "Bearer <token>"' };
      const principal = this.tokens.identify(match[1]);
      if (principal === undefined) return { ok: false, reason: 'unknown token' };
      return { ok: true, credential: { principal, via: 'bearer' } };
    }
    // Parsed here, not by express middleware: the WebSocket upgrade never passes through express.
    const loginId = parseCookies(request.headers.cookie ?? '')[COOKIE_NAME];
    if (loginId !== undefined && loginId !== '') {
      const principal = this.logins.get(loginId);
      if (principal === undefined) return { ok: false, reason: 'the login has expired or was logged out' };
      return { ok: true, credential: { principal, via: 'cookie', loginId } };
    }
    return { ok: false, reason: 'authentication required: log in or send "Authorization: Bearer <token>"' };
  }
}

export type CheckedAuth =
  | { ok: true; credential: Credential }
  | { ok: false; code: typeof ErrorCode.Unauthorized | typeof ErrorCode.RateLimited; reason: string };

/**
 * Authentication with guessing limited: a failed bearer token counts against the client's address
 * (with failed logins, in the same limiter), and an address out of attempts is refused before its
 * token is even looked at. Cookies are not limited: login ids carry 256 random bits, and a browser
 * on a shared address keeps its session while a script next to it guesses.
 */
export async function authenticateLimited(
  authenticator: Authenticator,
  failures: FailureLimiter,
  request: IncomingMessage,
): Promise<CheckedAuth> {
  const bearer = request.headers.authorization !== undefined;
  const from = remoteAddress(request) ?? 'unknown';
  if (bearer && failures.blocked(from)) {
    return {
      ok: false,
      code: ErrorCode.RateLimited,
      reason: 'too many failed authentications from this address; try again in a minute',
    };
  }
  const result = await authenticator.authenticateAnywhere(request);
  if (result.ok) return result;
  if (bearer) failures.fail(from);
  return { ok: false, code: ErrorCode.Unauthorized, reason: result.reason };
}

/** The client's address as the socket sees it (no proxy headers are trusted). */
export function remoteAddress(request: IncomingMessage): string | undefined {
  return request.socket.remoteAddress;
}
