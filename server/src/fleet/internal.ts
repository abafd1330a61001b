// The owner's half of fleet forwarding: the internal path (`/fleet/v1/api/…`), where another node
// forwards a request for a session that runs here. No cookie or token is accepted there — only a
// principal signed with the node secret (signature.ts) — and the request then goes through the
// same routes and upgrade checks as a client's own, so this node re-checks authorization itself.
// A missing or forged signature is refused (401) and audited as `auth-refused`.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { EXEC_PATH, ErrorCode, matchStreamPath } from '@shellgate/shared';
import express from 'express';
import type { RequestHandler, Router } from 'express';
import type { WebSocketServer } from 'ws';
import type { Credential } from '../auth/authenticate.js';
import type { GatewayContext } from '../context.js';
import { sendError } from '../http/errors.js';
import { setCredential } from '../http/guards.js';
import { sessionRoutes } from '../http/routes/sessions.js';
import type { Connections } from '../ws/connection.js';
import { upgradeToExec } from '../ws/exec.js';
import type { Upgrade } from '../ws/handshake.js';
import { refuseUpgrade } from '../ws/refuse.js';
import { upgradeToStream } from '../ws/upgrade.js';
import { SignatureError } from './signature.js';
import type { SignedPrincipal } from './signature.js';
import { forwardedLoginId, INTERNAL_PREFIX } from './types.js';

function credentialOf(principal: SignedPrincipal): Credential {
  return {
    principal: { name: principal.name, role: principal.role, scope: principal.scope },
    via: 'fleet',
    ...(principal.login === undefined ? {} : { loginId: forwardedLoginId(principal.login) }),
    ...(principal.from === undefined ? {} : { from: principal.from }),
  };
}

/** The signed principal of a request on the internal path, or undefined once it is refused. */
function verified(
  context: GatewayContext,
  request: IncomingMessage,
  /** The path and query as sent (the signature covers them, prefix included). */
  path: string,
  body: Buffer,
  refuse: (reason: string) => void,
): SignedPrincipal | undefined {
  const { fleet } = context;
  if (fleet === undefined) {
    refuse('fleet mode is off on this gateway');
    return undefined;
  }
  try {
    return fleet.verify(request.method ?? 'GET', path, body, request);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    refuse(error.message);
    return undefined;
  }
}

const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** `/fleet/v1`: the session routes, for principals another node signed. */
export function internalRoutes(context: GatewayContext): Router {
  const router = express.Router();
  const guard: RequestHandler = (request, response, next) => {
    const body = rawBodies.get(request) ?? Buffer.alloc(0);
    const signed = verified(context, request, request.originalUrl, body, (reason) => {
      context.audit.record('auth-refused', {
        who: null,
        // Whoever sent an unsigned or forged request, named as every other refusal names its
        // client (through a trusted proxy, the address it forwarded for); a node calling
        // directly is its own socket's peer either way.
        from: context.proxy.clientAddress(request),
        method: request.method,
        path: request.originalUrl.slice(0, 200),
        code: ErrorCode.Unauthorized,
        reason,
      });
      sendError(response, ErrorCode.Unauthorized, reason);
    });
    if (signed === undefined) return;
    setCredential(request, credentialOf(signed));
    next();
  };
  router.use(
    express.json({
      limit: context.config.limits.maxBodyBytes,
      strict: true,
      // Kept for the signature check, which covers the body's exact bytes.
      verify: (request, _response, buffer) => void rawBodies.set(request, Buffer.from(buffer)),
    }),
  );
  const api = express.Router();
  sessionRoutes(api, context, null);
  router.use('/api', guard, api);
  router.use((_request, response) => sendError(response, ErrorCode.NotFound, 'no such internal route'));
  return router;
}

/** A stream upgrade on the internal path: verified, then the same checks and attach as a client's. */
export function internalUpgrade(
  context: GatewayContext,
  wss: WebSocketServer,
  connections: Connections,
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
): void {
  const refuse = (code: ErrorCode, message: string): void => {
    context.audit.record('auth-refused', {
      who: null,
      // As for the internal routes above: the unverified caller, named as any client is.
      from: context.proxy.clientAddress(request),
      path: url.pathname.slice(0, 200),
      code,
      reason: message,
    });
    refuseUpgrade(socket, code, message);
  };
  const path = url.pathname.slice(INTERNAL_PREFIX.length);
  const id = matchStreamPath(path);
  const exec = path === EXEC_PATH;
  if (id === undefined && !exec) return refuse(ErrorCode.NotFound, 'no such internal stream path');
  const signed = verified(context, request, request.url ?? '/', Buffer.alloc(0), (reason) =>
    refuse(ErrorCode.Unauthorized, reason),
  );
  if (signed === undefined) return;
  const credential = credentialOf(signed);
  const upgrade: Upgrade = {
    request,
    socket,
    head,
    url,
    from: credential.from,
    credential,
    refuse: (code, message) => {
      context.audit.record('auth-refused', {
        who: signed.name,
        from: credential.from,
        path: 'stream',
        code,
        reason: message,
      });
      refuseUpgrade(socket, code, message);
    },
  };
  if (id === undefined) upgradeToExec(context, wss, connections, upgrade);
  else upgradeToStream(context, wss, connections, upgrade, id);
}
