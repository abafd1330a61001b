// Authenticate before the upgrade: every check that can refuse a stream happens here, on the plain
// HTTP request, and a refusal is an HTTP answer (401, 403, 404, 400, 429, …) — no 101, no attach.
//
//   every upgrade:  closing? 503 ─ version 13? 426 ─ path? 404 ─ Host? 403 ─ Origin? 403
//                   ─ guessing? 429 ─ credential? 401 ─► one of:
//
//   GET /api/sessions/:id/stream?offset=N&role=control|view   Sec-WebSocket-Protocol: shellgate.v1
//     role? 400/403 ─ session? 404 ─ offset? 400 ─ clients? 429 ─ subprotocol? 400 ─► 101, hello
//   GET /api/exec?profile=P&arg=…&cols=C&rows=R                (exec.ts)
//     operator? 403 ─ query? 400 ─ subprotocol? 400 ─ profile, args, limits, spawn? 404/400/429/500
//     ─► 101, hello (as control, from offset 0); closed with 1000 after `exit`
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  EXEC_PATH,
  ErrorCode,
  ProtocolError,
  matchStreamPath,
  streamQueryInput,
  streamQuerySchema,
} from '@shellgate/shared';
import type { ClientRole } from '@shellgate/shared';
import type { WebSocketServer } from 'ws';
import { authenticateLimited } from '../auth/authenticate.js';
import { canControl } from '../auth/principal.js';
import type { GatewayContext } from '../context.js';
import { auditedOrigin } from '../log/audit.js';
import { internalUpgrade } from '../fleet/internal.js';
import { INTERNAL_PREFIX } from '../fleet/types.js';
import type { Connections } from './connection.js';
import { upgradeToExec } from './exec.js';
import { subprotocolRefusal } from './handshake.js';
import type { Upgrade } from './handshake.js';
import { refuseUpgrade } from './refuse.js';
import type { RefusalExtras } from './refuse.js';

const SUPPORTED_WEBSOCKET_VERSION = '13';

/**
 * The socket's error listener for its whole life (the WebSocket's too, once upgraded): a function
 * of its own, not a closure in upgradeHandler, whose scope holds the request, its `head` and URL —
 * a closure there would keep them (about 2 KiB) for as long as the connection lasts.
 */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** `pathname` relative to the base path (`/shell/api/exec` → `/api/exec`); undefined outside it. */
export function withinBasePath(pathname: string, basePath: string): string | undefined {
  if (basePath === '') return pathname;
  return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : undefined;
}

export function upgradeHandler(
  context: GatewayContext,
  wss: WebSocketServer,
  connections: Connections,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    socket.on('error', destroyOnError);
    const from = context.proxy.clientAddress(request);
    const origin = auditedOrigin(request.headers.origin);
    /** Refuses and audits it; `who` is the principal once one is known. */
    const refuse = (
      code: ErrorCode,
      message: string,
      { who = null, ...extras }: RefusalExtras & { who?: string | null } = {},
    ): void => {
      context.audit.record('auth-refused', { who, from, path: 'stream', origin, code, reason: message });
      refuseUpgrade(socket, code, message, extras);
    };
    if (context.closing) return refuseUpgrade(socket, ErrorCode.ShuttingDown, 'the gateway is shutting down');
    // Only RFC 6455 (version 13). Older drafts (hybi-08 sends its origin in Sec-WebSocket-Origin,
    // which the Origin check below never reads) are answered before ws could accept them.
    const version = request.headers['sec-websocket-version'];
    if (version !== SUPPORTED_WEBSOCKET_VERSION) {
      return refuse(
        ErrorCode.UnsupportedWebSocketVersion,
        `WebSocket version ${JSON.stringify(version ?? null)} is not supported: use version 13`,
        { headers: { 'Sec-WebSocket-Version': SUPPORTED_WEBSOCKET_VERSION } },
      );
    }
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    // Another fleet node forwarding a stream: signed by it, not authenticated here (docs/fleet.md).
    // At the root, whatever the base path, as on HTTP (http/app.ts).
    if (url.pathname.startsWith(`${INTERNAL_PREFIX}/`)) {
      internalUpgrade(context, wss, connections, request, socket, head, url);
      return;
    }
    const path = withinBasePath(url.pathname, context.config.basePath);
    const id = path === undefined ? undefined : matchStreamPath(path);
    const exec = path === EXEC_PATH;
    if (id === undefined && !exec) {
      return refuseUpgrade(
        socket,
        ErrorCode.NotFound,
        `WebSocket streams live at ${context.config.basePath}/api/sessions/:id/stream (and ${context.config.basePath}${EXEC_PATH})`,
      );
    }
    const host = context.proxy.host(request);
    const hostRefusal = context.policy.hostRefusal(host);
    if (hostRefusal !== undefined) return refuse(ErrorCode.OriginRejected, hostRefusal);
    const originRefusal = context.policy.originRefusal(
      request.headers.origin,
      host,
      context.proxy.scheme(request),
    );
    if (originRefusal !== undefined) return refuse(ErrorCode.OriginRejected, originRefusal);
    authenticateLimited(context.authenticator, context.authFailures, request, from).then(
      (auth) => {
        if (socket.destroyed) return;
        if (!auth.ok) {
          const retryAfterSeconds = auth.code === ErrorCode.RateLimited ? auth.retryAfterSeconds : undefined;
          return refuse(auth.code, auth.reason, { retryAfterSeconds });
        }
        const { credential } = auth;
        const upgrade: Upgrade = {
          request,
          socket,
          head,
          url,
          from,
          credential,
          refuse: (code, message) => refuse(code, message, { who: credential.principal.name }),
        };
        // A share link opens one existing session: never a new one.
        if (id === undefined && credential.principal.share !== undefined)
          return upgrade.refuse(ErrorCode.Forbidden, 'a share link opens its one session and nothing else');
        const node = url.searchParams.get('node');
        if (id === undefined) {
          if (node !== null && context.fleet !== undefined && node !== context.fleet.node)
            forwardExec(context, upgrade, node);
          else upgradeToExec(context, wss, connections, upgrade);
        } else if (context.fleet !== undefined && !context.registry.has(id))
          forwardStream(context, upgrade, id);
        else upgradeToStream(context, wss, connections, upgrade, id);
      },
      (error: unknown) => {
        context.logger.error('upgrade failed', { error });
        refuseUpgrade(socket, ErrorCode.Internal, 'internal error');
      },
    );
  };
}

/** Fleet mode: an exec upgrade for another node, forwarded to it (it starts the session there). */
function forwardExec(context: GatewayContext, upgrade: Upgrade, node: string): void {
  const { fleet } = context;
  if (fleet === undefined) return;
  const { request, socket, head, credential, refuse } = upgrade;
  fleet.nodeUrl(node).then(
    (url) => {
      if (!socket.destroyed) fleet.forwardUpgrade(request, socket, head, url, credential);
    },
    (error: unknown) => {
      if (error instanceof ProtocolError) return refuse(error.code, error.message);
      refuse(ErrorCode.FleetUnavailable, 'the fleet database cannot be reached');
    },
  );
}

/** Fleet mode: a stream of a session on another node, forwarded to it (fleet/proxy.ts). */
function forwardStream(context: GatewayContext, upgrade: Upgrade, id: string): void {
  const { fleet } = context;
  if (fleet === undefined) return;
  const { request, socket, head, credential, refuse } = upgrade;
  fleet.locate(credential.principal, id).then(
    (location) => {
      if (socket.destroyed) return;
      if (location.kind === 'unknown') return refuse(ErrorCode.SessionNotFound, 'no such session');
      if (location.kind === 'lost') {
        return refuse(ErrorCode.NodeLost, `the session's node ${JSON.stringify(location.node)} is lost`);
      }
      fleet.forwardUpgrade(request, socket, head, location.url, credential);
    },
    (error: unknown) =>
      refuse(
        ErrorCode.FleetUnavailable,
        error instanceof Error ? error.message : 'the fleet database cannot be reached',
      ),
  );
}

/** Attaches to an existing session, from `?offset=` (or its start / a snapshot) as `?role=`. */
export function upgradeToStream(
  context: GatewayContext,
  wss: WebSocketServer,
  connections: Connections,
  upgrade: Upgrade,
  id: string,
): void {
  const { request, socket, head, url, from, credential, refuse } = upgrade;
  const { principal } = credential;
  // Each field of the query is refused at its own step below, so each is parsed on its own.
  const query = streamQueryInput(url.searchParams);
  const roleParam = streamQuerySchema.shape.role.safeParse(query.role);
  if (!roleParam.success) return refuse(ErrorCode.InvalidRequest, 'role must be "control" or "view"');
  const role: ClientRole = roleParam.data ?? (principal.role === 'viewer' ? 'view' : 'control');

  let session;
  try {
    session = context.registry.get(principal, id);
  } catch {
    return refuse(ErrorCode.SessionNotFound, 'no such session');
  }
  if (role === 'control' && !canControl(principal, { owner: session.owner.name, session: session.id })) {
    return refuse(ErrorCode.Forbidden, `a ${principal.role} token may only attach with role "view"`);
  }
  const offsetParam = streamQuerySchema.shape.offset.safeParse(query.offset);
  const outputBytes = session.outputBytes;
  if (!offsetParam.success || (offsetParam.data ?? 0) > outputBytes) {
    return refuse(
      ErrorCode.InvalidOffset,
      `offset must be an integer from 0 to ${outputBytes} (the session's output so far)`,
    );
  }
  // Absent: from the start (a pipe session) or from a snapshot of the screen (a PTY session).
  const offset = offsetParam.data ?? null;
  // Opt-in: what control clients typed (docs/protocol.md, "Input"), from entry S on.
  const inputParam = streamQuerySchema.shape.input.safeParse(query.input);
  if (!inputParam.success) return refuse(ErrorCode.InvalidRequest, 'input must be a non-negative integer');
  const inputSeq = inputParam.data ?? null;
  const { maxClientsPerSession } = context.config.limits;
  if (session.clientCount >= maxClientsPerSession) {
    return refuse(
      ErrorCode.ClientLimit,
      `session already has ${maxClientsPerSession} clients (limits.maxClientsPerSession)`,
    );
  }
  const subprotocol = subprotocolRefusal(request);
  if (subprotocol !== undefined) return refuse(ErrorCode.InvalidRequest, subprotocol);
  wss.handleUpgrade(request, socket, head, (ws) => {
    connections.open(ws, {
      session,
      role,
      offset,
      inputSeq,
      from,
      origin: request.headers.origin,
      credential,
      closeAfterExit: false,
    });
  });
}
