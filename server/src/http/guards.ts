// Request guards, in the order the app applies them: shutting down, Host (DNS rebinding), Origin,
// authentication, then CSRF for cookie-authenticated state changes.
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import type { Request, RequestHandler, Response } from 'express';
import type { Credential } from '../auth/authenticate.js';
import { authenticateLimited } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import { auditedOrigin } from '../log/audit.js';
import { shareMayUse } from '../shares/access.js';
import { sendError } from './errors.js';

const credentials = new WeakMap<Request, Credential>();

/** The credential the `authenticate` guard accepted for this request. */
export function credentialOf(request: Request): Credential {
  const credential = credentials.get(request);
  if (credential === undefined) throw new ProtocolError(ErrorCode.Unauthorized, 'authentication required');
  return credential;
}

export function notClosing(context: GatewayContext): RequestHandler {
  return (_request, response, next) => {
    if (context.closing) sendError(response, ErrorCode.ShuttingDown, 'the gateway is shutting down');
    else next();
  };
}

interface Refusal {
  code: ErrorCode;
  reason: string;
  /** The token's name when the refusal came after authentication. */
  who?: string | null;
  /** Seconds for `Retry-After` instead of the code's default. */
  retryAfterSeconds?: number;
}

/** Refuses a request with an `auth-refused` audit record (`who`: null before authentication). */
function refuse(context: GatewayContext, request: Request, response: Response, refusal: Refusal): void {
  const { code, reason } = refusal;
  context.audit.record('auth-refused', {
    who: refusal.who ?? null,
    from: context.proxy.clientAddress(request),
    method: request.method,
    // The full path: inside a router, `path` is relative to where it is mounted.
    path: request.baseUrl + request.path,
    origin: auditedOrigin(request.headers.origin),
    code,
    reason,
  });
  sendError(response, code, reason, refusal.retryAfterSeconds);
}

export function hostGuard(context: GatewayContext): RequestHandler {
  return (request, response, next) => {
    const refusal = context.policy.hostRefusal(context.proxy.host(request));
    if (refusal === undefined) next();
    else refuse(context, request, response, { code: ErrorCode.OriginRejected, reason: refusal });
  };
}

export function originGuard(context: GatewayContext): RequestHandler {
  return (request, response, next) => {
    const refusal = context.policy.originRefusal(
      request.headers.origin,
      context.proxy.host(request),
      context.proxy.scheme(request),
    );
    if (refusal === undefined) next();
    else refuse(context, request, response, { code: ErrorCode.OriginRejected, reason: refusal });
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Marks a request as authenticated with `credential` (the fleet's internal path signs its own). */
export function setCredential(request: Request, credential: Credential): void {
  credentials.set(request, credential);
}

export function authenticate(context: GatewayContext): RequestHandler {
  return async (request, response, next) => {
    // Already authenticated by an earlier router (fleet routes run before the session routes).
    if (credentials.has(request)) return next();
    const result = await authenticateLimited(
      context.authenticator,
      context.authFailures,
      request,
      context.proxy.clientAddress(request),
    );
    if (!result.ok) {
      refuse(context, request, response, result);
      return;
    }
    // CSRF: a cookie rides along on any request the browser makes (so does a signing-on proxy's
    // cookie); a state change by cookie must come from a page of ours, which the Origin header
    // (checked by originGuard) proves.
    if (
      result.credential.via !== 'bearer' &&
      !SAFE_METHODS.has(request.method) &&
      request.headers.origin === undefined
    ) {
      refuse(context, request, response, {
        code: ErrorCode.OriginRejected,
        reason: 'a cookie-authenticated request that changes state must carry an Origin header',
        who: result.credential.principal.name,
      });
      return;
    }
    const { share } = result.credential.principal;
    // The path below the base path: routes are mounted under it (http/app.ts).
    const path = (request.baseUrl + request.path).slice(context.config.basePath.length);
    if (share !== undefined && !shareMayUse(share, path)) {
      refuse(context, request, response, {
        code: ErrorCode.Forbidden,
        reason: 'a share link opens its one session and nothing else',
        who: result.credential.principal.name,
      });
      return;
    }
    credentials.set(request, result.credential);
    next();
  };
}
