// One way to decide who is asking, shared by HTTP routes and the WebSocket upgrade: a bearer token
// (scripts), the user an authenticating proxy names (single sign-on, proxy-auth.ts) or the login
// cookie (browsers). A present but wrong Authorization or user header never falls back to another.
import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '@shellgate/shared';
import { parse as parseCookies } from 'cookie';
import { COOKIE_NAME } from './logins.js';
import type { ProxyAuthenticator } from './proxy-auth.js';
import type { LoginStore } from './logins.js';
import type { Principal } from './principal.js';
import type { FailureLimiter } from './rate-limit.js';
import type { TokenStore } from './tokens.js';

export type Credential = { principal: Principal; via: 'bearer' | 'proxy' | 'cookie'; loginId?: string };

export type AuthResult = { ok: true; credential: Credential } | { ok: false; reason: string };

export class Authenticator {
  constructor(
    readonly tokens: TokenStore,
    readonly logins: LoginStore,
    /** Set when auth.proxy is configured. */
    readonly proxy?: ProxyAuthenticator,
  ) {}

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
    const signedOn = this.proxy?.identify(request);
    if (signedOn !== undefined) {
      if (!signedOn.ok) return signedOn;
      return { ok: true, credential: { principal: signedOn.principal, via: 'proxy' } };
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
  | { ok: false; code: typeof ErrorCode.Unauthorized; reason: string }
  | { ok: false; code: typeof ErrorCode.RateLimited; reason: string; retryAfterSeconds: number };

/**
 * Authentication with guessing limited: a failed bearer token counts against the client's address
 * (with failed logins, in the same limiter), and an address out of attempts is refused before its
 * token is even looked at. Cookies are not limited: login ids carry 256 random bits, and a browser
 * on a shared address keeps its session while a script next to it guesses.
 */
export function authenticateLimited(
  authenticator: Authenticator,
  failures: FailureLimiter,
  request: IncomingMessage,
  /** The client's address (through trusted proxies: proxy/trust.ts). */
  from = request.socket.remoteAddress ?? 'unknown',
): CheckedAuth {
  const bearer = request.headers.authorization !== undefined;
  const retryAfterSeconds = bearer ? failures.retryAfterSeconds(from) : 0;
  if (retryAfterSeconds > 0) {
    return {
      ok: false,
      code: ErrorCode.RateLimited,
      reason: `too many failed authentications from this address; try again in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    };
  }
  const result = authenticator.authenticate(request);
  if (result.ok) return result;
  if (bearer) failures.fail(from);
  return { ok: false, code: ErrorCode.Unauthorized, reason: result.reason };
}
