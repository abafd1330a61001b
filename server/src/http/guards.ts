// Request guards, in the order the app applies them: shutting down, Host (DNS rebinding), Origin,
// authentication, then CSRF for cookie-authenticated state changes.
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import type { Request, RequestHandler, Response } from 'express';
import type { Credential } from '../auth/authenticate.js';
import { authenticateLimited, remoteAddress } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
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

/** Refuses a request with an `auth-refused` audit record (`who`: null before authentication). */
function refuse(
  context: GatewayContext,
  request: Request,
  response: Response,
  code: ErrorCode,
  reason: string,
  who: string | null = null,
): void {
  context.audit.record('auth-refused', {
    who,
    from: remoteAddress(request),
    method: request.method,
    // The full path: inside a router, `path` is relative to where it is mounted.
    path: request.baseUrl + request.path,
    code,
    reason,
  });
  sendError(response, code, reason);
}

export function hostGuard(context: GatewayContext): RequestHandler {
  return (request, response, next) => {
    const refusal = context.policy.hostRefusal(request.headers.host);
    if (refusal === undefined) next();
    else refuse(context, request, response, ErrorCode.OriginRejected, refusal);
  };
}

export function originGuard(context: GatewayContext): RequestHandler {
  return (request, response, next) => {
    const refusal = context.policy.originRefusal(request.headers.origin, request.headers.host);
    if (refusal === undefined) next();
    else refuse(context, request, response, ErrorCode.OriginRejected, refusal);
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
    const result = await authenticateLimited(context.authenticator, context.authFailures, request);
    if (!result.ok) {
      refuse(context, request, response, result.code, result.reason);
      return;
    }
    // CSRF: a cookie rides along on any request the browser makes; a state change by cookie must
    // come from a page of ours, which the Origin header (checked by originGuard) proves.
    if (
      result.credential.via === 'cookie' &&
      !SAFE_METHODS.has(request.method) &&
      request.headers.origin === undefined
    ) {
      refuse(
        context,
        request,
        response,
        ErrorCode.OriginRejected,
        'a cookie-authenticated request that changes state must carry an Origin header',
        result.credential.principal.name,
      );
      return;
    }
    credentials.set(request, result.credential);
    next();
  };
}
