// The exec upgrade: create a session from a profile and attach to it as control in one handshake,
// so that running a command costs one round trip (as `kubectl exec` does) instead of a POST and an
// upgrade. Every refusal — the create request's as well as the stream's — is still a plain HTTP
// answer before any 101; a spawn failure too, since the process is started before the upgrade
// completes. The stream is closed with 1000 once `exit` has been sent.
import { ErrorCode, ProtocolError, parseExecQuery } from '@shellgate/shared';
import type { CreateSessionRequest } from '@shellgate/shared';
import type { WebSocketServer } from 'ws';
import type { GatewayContext } from '../context.js';
import type { Connections } from './connection.js';
import { subprotocolRefusal } from './handshake.js';
import type { Upgrade } from './handshake.js';

export function upgradeToExec(
  context: GatewayContext,
  wss: WebSocketServer,
  connections: Connections,
  upgrade: Upgrade,
): void {
  const { request, socket, head, url, from, credential, refuse } = upgrade;
  const { principal } = credential;
  if (principal.role !== 'operator')
    return refuse(ErrorCode.Forbidden, 'a viewer token may not start sessions');
  let query: CreateSessionRequest;
  try {
    query = parseExecQuery(url.searchParams);
  } catch (error) {
    if (error instanceof ProtocolError) return refuse(error.code, error.message);
    throw error;
  }
  const subprotocol = subprotocolRefusal(request);
  if (subprotocol !== undefined) return refuse(ErrorCode.InvalidRequest, subprotocol);

  const self = context.config.fleet?.node;
  if (query.node !== undefined && query.node !== self) {
    return refuse(
      ErrorCode.NodeNotFound,
      self === undefined
        ? 'node selection needs a fleet gateway: this gateway is not part of one'
        : `no fleet node named ${JSON.stringify(query.node)}`,
    );
  }
  const { profile, args, cols, rows } = query;
  context.registry.create({ profile, args, cols, rows, principal, from }).then(
    (session) => {
      if (socket.destroyed) {
        // The client went away while the process started: nobody knows this session's id.
        context.actions
          .terminate({ via: 'gateway', reason: 'exec client left during the spawn' }, session, 0)
          .catch((error: unknown) =>
            context.logger.error('terminate failed', { session: session.id, error }),
          );
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        connections.open(ws, {
          session,
          role: 'control',
          offset: 0,
          from,
          origin: request.headers.origin,
          credential,
          closeAfterExit: true,
        });
      });
    },
    (error: unknown) => {
      if (error instanceof ProtocolError) return refuse(error.code, error.message);
      context.logger.error('exec upgrade failed', { error });
      refuse(ErrorCode.Internal, 'internal error');
    },
  );
}
