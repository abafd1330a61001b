// The fleet's additions to the public API on every node (docs/fleet.md): `GET /api/nodes`, the
// fleet's sessions in `GET /api/sessions`, and requests for a session or node elsewhere forwarded
// to its owner. Anything about this node's own sessions falls through to the session routes.
import {
  ErrorCode,
  ProtocolError,
  createSessionRequestSchema,
  nodeNameSchema,
  parseWith,
} from '@shellgate/shared';
import type { SessionInfo } from '@shellgate/shared';
import type { RequestHandler, Router } from 'express';
import type { GatewayContext } from '../context.js';
import { parseBody } from '../http/body.js';
import { authenticate, credentialOf } from '../http/guards.js';

/** Adds the fleet's routes to the API's router: on a gateway outside a fleet, `GET /api/nodes` only. */
export function fleetRoutes(router: Router, context: GatewayContext): void {
  const { registry } = context;
  const auth = authenticate(context);

  router.get('/nodes', auth, async (_request, response) => {
    response.json({ nodes: context.fleet === undefined ? [] : await context.fleet.nodes() });
  });
  // Outside a fleet the rest would only fall through, at a cost to every API request.
  if (context.config.fleet === undefined) return;

  // Profiles may differ per node: `?node=` asks that node for its own.
  router.get('/profiles', auth, async (request, response, next) => {
    const { fleet } = context;
    const node: unknown = request.query.node;
    if (fleet === undefined || node === undefined || node === fleet.node) return next();
    const name = parseWith(nodeNameSchema, node, 'node');
    await fleet.forward(request, response, await fleet.nodeUrl(name), credentialOf(request), undefined);
  });

  router.get('/sessions', auth, async (request, response, next) => {
    const { fleet } = context;
    if (fleet === undefined) return next();
    const { principal } = credentialOf(request);
    const local = registry.list(principal).map((session) => session.info());
    let remote: SessionInfo[] = [];
    try {
      remote = await fleet.remoteSessions(principal);
    } catch {
      // The database is away: this node's own sessions are still worth listing.
    }
    const sessions = [...local, ...remote].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    response.json({ sessions });
  });

  router.post('/sessions', auth, async (request, response, next) => {
    const { fleet } = context;
    if (fleet === undefined) return next();
    const body = parseBody(createSessionRequestSchema, request.body, 'session request');
    if (body.node === undefined || body.node === fleet.node) return next();
    const { principal } = credentialOf(request);
    if (principal.role !== 'operator')
      throw new ProtocolError(ErrorCode.Forbidden, 'a viewer token may not start sessions');
    const url = await fleet.nodeUrl(body.node);
    const { node: _node, ...rest } = body;
    await fleet.forward(request, response, url, credentialOf(request), rest);
  });

  const elsewhere: RequestHandler = async (request, response, next) => {
    const { fleet } = context;
    const id = String(request.params.id);
    if (fleet === undefined || registry.has(id)) return next();
    const credential = credentialOf(request);
    const location = await fleet.locate(credential.principal, id);
    switch (location.kind) {
      case 'unknown':
        return next();
      case 'lost':
        throw new ProtocolError(
          ErrorCode.NodeLost,
          `the session's node ${JSON.stringify(location.node)} is lost (its lease lapsed)`,
        );
      case 'remote':
        return fleet.forward(request, response, location.url, credential, request.body);
      default: {
        const check: never = location;
        return check;
      }
    }
  };
  router.get('/sessions/:id', auth, elsewhere);
  router.delete('/sessions/:id', auth, elsewhere);
  router.post('/sessions/:id/signal', auth, elsewhere);
}
