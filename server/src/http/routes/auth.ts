// Login, logout, whoami. The cookie carries a random login id, never the token.
import { ErrorCode, ProtocolError, loginRequestSchema } from '@shellgate/shared';
import type { Identity } from '@shellgate/shared';
import type { CookieOptions, Request, Router } from 'express';
import { COOKIE_NAME } from '../../auth/logins.js';
import type { Principal } from '../../auth/principal.js';
import type { GatewayContext } from '../../context.js';
import { parseBody } from '../body.js';
import { sendError } from '../errors.js';
import { authenticate, credentialOf } from '../guards.js';

function identity(principal: Principal): Identity {
  return { name: principal.name, role: principal.role };
}

/**
 * The login cookie's attributes: out of scripts' reach, sent only to this site and under the base
 * path, and only over TLS when the client reached us by TLS (the gateway's own, or a trusted
 * proxy's). A Max-Age of 0 (logout) tells the browser to drop it at once; express's clearCookie
 * would send only an Expires date in the past.
 */
function cookieOptions(basePath: string, secure: boolean, maxAgeMs: number): CookieOptions {
  return {
    path: basePath === '' ? '/' : basePath,
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: maxAgeMs,
  };
}

/** Adds `POST /login`, `POST /logout` and `GET /whoami` to the API's router. */
export function authRoutes(router: Router, context: GatewayContext): void {
  const cookie = (request: Request, maxAgeMs: number): CookieOptions =>
    cookieOptions(context.config.basePath, context.proxy.scheme(request) === 'https', maxAgeMs);

  router.post('/login', async (request, response) => {
    const from = context.proxy.clientAddress(request) ?? 'unknown';
    const retryAfterSeconds = context.authFailures.retryAfterSeconds(from);
    if (retryAfterSeconds > 0) {
      sendError(
        response,
        ErrorCode.RateLimited,
        `too many failed logins from this address; try again in ${retryAfterSeconds} s`,
        retryAfterSeconds,
      );
      return;
    }
    const { token } = parseBody(loginRequestSchema, request.body, 'login request');
    const principal = context.authenticator.tokens.identify(token);
    if (principal === undefined) {
      context.authFailures.fail(from);
      context.audit.record('login-failed', { who: null, from });
      throw new ProtocolError(ErrorCode.Unauthorized, 'unknown token');
    }
    const loginId = context.authenticator.logins.create(principal);
    await context.fleet?.loginCreated(loginId, principal);
    context.audit.record('login', { who: principal.name, from });
    response.cookie(COOKIE_NAME, loginId, cookie(request, context.config.limits.loginTtlMs));
    response.json(identity(principal));
  });

  router.post('/logout', authenticate(context), async (request, response) => {
    const credential = credentialOf(request);
    if (credential.loginId !== undefined) {
      context.authenticator.logins.delete(credential.loginId);
      context.revokeLogin(credential.loginId);
      // Every other node of a fleet drops it too, and closes the streams opened with it.
      await context.fleet?.loggedOut(credential.loginId);
    }
    context.audit.record('logout', {
      who: credential.principal.name,
      from: context.proxy.clientAddress(request),
    });
    response.cookie(COOKIE_NAME, '', cookie(request, 0));
    response.status(204).end();
  });

  router.get('/whoami', authenticate(context), (request, response) => {
    response.json(identity(credentialOf(request).principal));
  });
}
