// Profiles and sessions over HTTP. Every lookup goes through the registry's visibility rule, so a
// session another token may not see is simply "not found".
import {
  ErrorCode,
  ProtocolError,
  checkSignalName,
  createSessionRequestSchema,
  gracePeriodSchema,
  parseWith,
  signalRequestSchema,
  terminateRequestSchema,
} from '@shellgate/shared';
import type { ProfileInfo } from '@shellgate/shared';
import type { Request, RequestHandler, Router } from 'express';
import type { GatewayContext } from '../../context.js';
import type { Actor } from '../../sessions/actions.js';
import type { Session } from '../../sessions/session.js';
import { parseBody } from '../body.js';
import { authenticate, credentialOf } from '../guards.js';

function gracePeriod(request: Request, fallback: number): number {
  const body = parseBody(terminateRequestSchema, request.body, 'terminate request');
  if (body.gracePeriodMs !== undefined) return body.gracePeriodMs;
  const query: unknown = request.query.gracePeriodMs;
  if (query === undefined) return fallback;
  if (typeof query !== 'string' || !/^\d{1,6}$/.test(query)) {
    throw new ProtocolError(
      ErrorCode.InvalidRequest,
      'invalid gracePeriodMs: expected a non-negative integer',
    );
  }
  return parseWith(gracePeriodSchema, Number(query), 'gracePeriodMs');
}

/**
 * Adds the profile and session routes to `router`, behind `guard`: a client's credential, or null
 * where the router's owner has authenticated the request already (fleet/internal.ts: another
 * node's signature). The guard applies to whatever the router serves after these routes too.
 */
export function sessionRoutes(
  router: Router,
  context: GatewayContext,
  guard: RequestHandler | null = authenticate(context),
): void {
  const { registry, actions } = context;
  if (guard !== null) router.use(guard);

  const actorOf = (request: Request): Actor => {
    const credential = credentialOf(request);
    return {
      via: 'http',
      principal: credential.principal,
      from: credential.from ?? context.proxy.clientAddress(request),
    };
  };
  const sessionOf = (request: Request): Session =>
    registry.get(credentialOf(request).principal, String(request.params.id));

  router.get('/profiles', (_request, response) => {
    const profiles: ProfileInfo[] = Object.entries(context.config.profiles).map(([name, profile]) => ({
      name,
      description: profile.description ?? '',
      argv: profile.argv,
      mode: profile.mode,
      allowArgs: profile.allowArgs,
    }));
    response.json({ profiles });
  });

  router.get('/sessions', (request, response) => {
    const { principal } = credentialOf(request);
    response.json({ sessions: registry.list(principal).map((session) => session.info()) });
  });

  router.post('/sessions', async (request, response) => {
    const { principal } = credentialOf(request);
    if (principal.role !== 'operator')
      throw new ProtocolError(ErrorCode.Forbidden, 'a viewer token may not start sessions');
    const body = parseBody(createSessionRequestSchema, request.body, 'session request');
    const self = context.config.fleet?.node;
    if (body.node !== undefined && body.node !== self) {
      throw new ProtocolError(
        ErrorCode.NodeNotFound,
        self === undefined
          ? 'node selection needs a fleet gateway: this gateway is not part of one'
          : `no fleet node named ${JSON.stringify(body.node)}`,
      );
    }
    const session = await registry.create({
      profile: body.profile,
      args: body.args,
      cols: body.cols,
      rows: body.rows,
      principal,
      from: credentialOf(request).from ?? context.proxy.clientAddress(request),
    });
    response.status(201).json({ session: session.info() });
  });

  router.get('/sessions/:id', (request, response) => {
    response.json({ session: sessionOf(request).info() });
  });

  router.delete('/sessions/:id', async (request, response) => {
    const session = sessionOf(request);
    const grace = gracePeriod(request, context.config.limits.terminateGracePeriodMs);
    const wasExited = session.state === 'exited';
    const outcome = await actions.terminate(actorOf(request), session, grace);
    const info = session.info();
    // Deleting a session that had already exited removes it; a running one stays (exited) for
    // exitedSessionTtlMs so that attached clients can read its last output.
    if (wasExited) registry.remove(session);
    response.json({ session: info, exit: { code: outcome.code, signal: outcome.signal } });
  });

  router.post('/sessions/:id/signal', (request, response) => {
    const session = sessionOf(request);
    checkSignalName(request.body);
    const { signal } = parseBody(signalRequestSchema, request.body, 'signal request');
    actions.perform(actorOf(request), session, { type: 'signal', signal });
    response.json({ session: session.info() });
  });
}
