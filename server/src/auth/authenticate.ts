// One way to decide who is asking, shared by HTTP routes and the WebSocket upgrade: a bearer token
// (scripts), the user an authenticating proxy names (single sign-on, proxy-auth.ts) or the login
// cookie (browsers). A present but wrong Authorization or user header never falls back to another.
import type { IncomingMessage } from 'node:http';
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import { parse as parseCookies } from 'cookie';
import { SHARE_COOKIE_NAME } from '../shares/cookie.js';
import type { ShareStore } from '../shares/store.js';
import { COOKIE_NAME } from './logins.js';
import type { ProxyAuthenticator } from './proxy-auth.js';
import type { LoginStore } from './logins.js';
import type { Principal } from './principal.js';
import type { FailureLimiter } from './rate-limit.js';
import type { TokenStore } from './tokens.js';

export type Credential = {
  principal: Principal;
  /** `fleet`: signed by another node of the fleet that authenticated the client (docs/fleet.md). */
  via: 'bearer' | 'proxy' | 'cookie' | 'fleet';
  loginId?: string;
  /** The share visit (docs/sharing.md) whose cookie this is. */
  visitId?: string;
  /** `fleet`: the client's address as the entry node saw it. */
  from?: string;
};

export type AuthResult =
  { ok: true; credential: Credential } | { ok: false; reason: string; code?: ErrorCode | undefined };

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
    readonly shares: ShareStore,
    /** Set when auth.proxy is configured. */
    readonly proxy?: ProxyAuthenticator,
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
    const signedOn = this.proxy?.identify(request);
    if (signedOn !== undefined) {
      if (!signedOn.ok) return signedOn;
      return { ok: true, credential: { principal: signedOn.principal, via: 'proxy' } };
    }
    // Parsed here, not by express middleware: the WebSocket upgrade never passes through express.
    const cookies = parseCookies(request.headers.cookie ?? '');
    const loginId = cookies[COOKIE_NAME];
    const hasLogin = loginId !== undefined && loginId !== '';
    // A share cookie is sent only to its session's paths: there it speaks for the browser, as the
    // link its user opened. One that has ended gives way to a login the browser also holds.
    const visitId = cookies[SHARE_COOKIE_NAME];
    if (visitId !== undefined && visitId !== '') {
      const refused = this.#visit(visitId);
      if (refused.ok || !hasLogin) return refused;
    }
    if (hasLogin) {
      const principal = this.logins.get(loginId);
      if (principal === undefined) return { ok: false, reason: 'the login has expired or was logged out' };
      return { ok: true, credential: { principal, via: 'cookie', loginId } };
    }
    return { ok: false, reason: 'authentication required: log in or send "Authorization: Bearer <token>"' };
  }

  #visit(visitId: string): AuthResult {
    try {
      const { principal } = this.shares.visit(visitId);
      return { ok: true, credential: { principal, via: 'cookie', visitId } };
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return { ok: false, code: error.code, reason: error.message };
    }
  }
}

export type CheckedAuth =
  | { ok: true; credential: Credential }
  | { ok: false; code: Exclude<ErrorCode, typeof ErrorCode.RateLimited>; reason: string }
  | { ok: false; code: typeof ErrorCode.RateLimited; reason: string; retryAfterSeconds: number };

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
  /** The client's address (through trusted proxies: proxy/trust.ts). */
  from = request.socket.remoteAddress ?? 'unknown',
): Promise<CheckedAuth> {
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
  const result = await authenticator.authenticateAnywhere(request);
  if (result.ok) return result;
  if (bearer) failures.fail(from);
  // A share link's refusal names its own code (expired, revoked); rate limiting is decided above.
  const code =
    result.code === undefined || result.code === ErrorCode.RateLimited ? ErrorCode.Unauthorized : result.code;
  return { ok: false, code, reason: result.reason };
}
