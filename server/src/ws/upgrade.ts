// Authenticate before the upgrade: every check that can refuse a stream happens here, on the plain
// HTTP request, and a refusal is an HTTP answer (401, 403, 404, 400, 429) — no 101, no attach.
//
//   GET /api/sessions/:id/stream?offset=N&role=control|view   Sec-WebSocket-Protocol: shellgate.v1
//     closing? 503 ─ path? 404 ─ Host? 403 ─ Origin? 403 ─ guessing? 429 ─ credential? 401 ─ role? 400/403
//     ─ session? 404 ─ offset? 400 ─ clients? 429 ─ subprotocol? 400 ─► 101, hello
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  ErrorCode,
  SUBPROTOCOL,
  matchStreamPath,
  streamQueryInput,
  streamQuerySchema,
} from '@shellgate/shared';
import type { ClientRole } from '@shellgate/shared';
import type { WebSocketServer } from 'ws';
import { authenticateLimited, remoteAddress } from '../auth/authenticate.js';
import { canControl } from '../auth/principal.js';
import type { GatewayContext } from '../context.js';
import type { Connections } from './connection.js';
import { refuseUpgrade } from './refuse.js';

function offeredProtocols(request: IncomingMessage): string[] {
  return (request.headers['sec-websocket-protocol'] ?? '').split(',').map((protocol) => protocol.trim());
}

export function upgradeHandler(
  context: GatewayContext,
  wss: WebSocketServer,
  connections: Connections,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const from = remoteAddress(request);
    const refuse = (code: ErrorCode, message: string, who: string | null = null): void => {
      context.audit.record('auth-refused', { who, from, path: 'stream', code, reason: message });
      refuseUpgrade(socket, code, message);
    };
    if (context.closing) return refuseUpgrade(socket, ErrorCode.ShuttingDown, 'the gateway is shutting down');
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    const id = matchStreamPath(url.pathname);
    if (id === undefined)
      return refuseUpgrade(socket, ErrorCode.NotFound, 'WebSocket streams live at /api/sessions/:id/stream');
    const hostRefusal = context.policy.hostRefusal(request.headers.host);
    if (hostRefusal !== undefined) return refuse(ErrorCode.OriginRejected, hostRefusal);
    const originRefusal = context.policy.originRefusal(request.headers.origin, request.headers.host);
    if (originRefusal !== undefined) return refuse(ErrorCode.OriginRejected, originRefusal);
    const auth = authenticateLimited(context.authenticator, context.authFailures, request);
    if (!auth.ok) return refuse(auth.code, auth.reason);
    const { principal } = auth.credential;

    // Each field of the query is refused at its own step below, so each is parsed on its own.
    const query = streamQueryInput(url.searchParams);
    const roleParam = streamQuerySchema.shape.role.safeParse(query.role);
    if (!roleParam.success)
      return refuse(ErrorCode.InvalidRequest, 'role must be "control" or "view"', principal.name);
    const role: ClientRole = roleParam.data ?? (principal.role === 'viewer' ? 'view' : 'control');

    let session;
    try {
      session = context.registry.get(principal, id);
    } catch {
      return refuse(ErrorCode.SessionNotFound, 'no such session', principal.name);
    }
    if (role === 'control' && !canControl(principal, session.owner.name)) {
      return refuse(
        ErrorCode.Forbidden,
        `a ${principal.role} token may only attach with role "view"`,
        principal.name,
      );
    }
    const offsetParam = streamQuerySchema.shape.offset.safeParse(query.offset);
    const outputBytes = session.outputBytes;
    if (!offsetParam.success || (offsetParam.data ?? 0) > outputBytes) {
      return refuse(
        ErrorCode.InvalidOffset,
        `offset must be an integer from 0 to ${outputBytes} (the session's output so far)`,
        principal.name,
      );
    }
    // Absent: from the start (a pipe session) or from a snapshot of the screen (a PTY session).
    const offset = offsetParam.data ?? null;
    if (session.clientCount >= context.config.limits.maxClientsPerSession) {
      return refuse(
        ErrorCode.ClientLimit,
        `session already has ${context.config.limits.maxClientsPerSession} clients (limits.maxClientsPerSession)`,
        principal.name,
      );
    }
    if (!offeredProtocols(request).includes(SUBPROTOCOL)) {
      return refuse(
        ErrorCode.InvalidRequest,
        `offer the WebSocket subprotocol "${SUBPROTOCOL}"`,
        principal.name,
      );
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      connections.open(ws, { session, role, offset, from, credential: auth.credential });
    });
  };
}
