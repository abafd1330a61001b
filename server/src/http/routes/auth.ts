// Login, logout, whoami. The cookie carries a random login id, never the token.
import { ErrorCode, ProtocolError, loginRequestSchema } from '@shellgate/shared';
import type { Identity } from '@shellgate/shared';
import { Router } from 'express';
import type { CookieOptions } from 'express';
import { remoteAddress } from '../../auth/authenticate.js';
import { COOKIE_NAME } from '../../auth/logins.js';
import type { Principal } from '../../auth/principal.js';
import type { GatewayContext } from '../../context.js';
import { parseBody } from '../body.js';
import { authenticate, credentialOf } from '../guards.js';

function identity(principal: Principal): Identity {
  return { name: principal.name, role: principal.role };
}

/**
 * The login cookie's attributes: out of scripts' reach, sent only to this site, and only over TLS
 * when the gateway serves it. A Max-Age of 0 (logout) tells the browser to drop it at once;
 * express's clearCookie would send only an Expires date in the past.
 */
function cookieOptions(secure: boolean, maxAgeMs: number): CookieOptions {
  return { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: maxAgeMs };
}

export function authRoutes(context: GatewayContext): Router {
  const router = Router();
  const secure = context.config.tls !== undefined;

  router.post('/login', async (request, response) => {
    const from = remoteAddress(request) ?? 'unknown';
    if (context.authFailures.blocked(from)) {
      throw new ProtocolError(
        ErrorCode.RateLimited,
        'too many failed logins from this address; try again in a minute',
      );
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
    response.cookie(COOKIE_NAME, loginId, cookieOptions(secure, context.config.limits.loginTtlMs));
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
    context.audit.record('logout', { who: credential.principal.name, from: remoteAddress(request) });
    response.cookie(COOKIE_NAME, '', cookieOptions(secure, 0));
    response.status(204).end();
  });

  router.get('/whoami', authenticate(context), (request, response) => {
    response.json(identity(credentialOf(request).principal));
  });

  return router;
}
