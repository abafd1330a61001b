// One way to decide who is asking, shared by HTTP routes and the WebSocket upgrade: a bearer token
// (scripts) or the login cookie (browsers). A present but wrong Authorization header never falls
// back to the cookie.
import type { IncomingMessage } from 'node:http';
import { COOKIE_NAME, readCookie } from './logins.js';
import type { LoginStore } from './logins.js';
import type { Principal } from './principal.js';
import type { TokenStore } from './tokens.js';

export type Credential = { principal: Principal; via: 'bearer' | 'cookie'; loginId?: string };

export type AuthResult = { ok: true; credential: Credential } | { ok: false; reason: string };

export class Authenticator {
  constructor(
    readonly tokens: TokenStore,
    readonly logins: LoginStore,
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
    const loginId = readCookie(request.headers.cookie, COOKIE_NAME);
    if (loginId !== undefined && loginId !== '') {
      const principal = this.logins.get(loginId);
      if (principal === undefined) return { ok: false, reason: 'the login has expired or was logged out' };
      return { ok: true, credential: { principal, via: 'cookie', loginId } };
    }
    return { ok: false, reason: 'authentication required: log in or send "Authorization: Bearer <token>"' };
  }
}

/** The client's address as the socket sees it (no proxy headers are trusted). */
export function remoteAddress(request: IncomingMessage): string | undefined {
  return request.socket.remoteAddress;
}
