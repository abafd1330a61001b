// Share links over HTTP (docs/sharing.md): create one to a session the caller controls, list and
// revoke them, and open one, which trades the link for a cookie to that one session. Every step is
// audited, refusals to open included.
import {
  DEFAULT_SHARE_TTL_SECONDS,
  ErrorCode,
  ProtocolError,
  SHARE_FRAGMENT_KEY,
  createShareRequestSchema,
  openShareRequestSchema,
  parseShareLink,
} from '@shellgate/shared';
import type { CreateShareResponse, OpenShareResponse, ShareLink } from '@shellgate/shared';
import type { Request, Router } from 'express';
import { canControl } from '../../auth/principal.js';
import type { Principal } from '../../auth/principal.js';
import type { GatewayContext } from '../../context.js';
import { shareCookieOptions, SHARE_COOKIE_NAME } from '../../shares/cookie.js';
import { shareInfo } from '../../shares/store.js';
import type { Share } from '../../shares/store.js';
import { parseBody } from '../body.js';
import { authenticate, credentialOf } from '../guards.js';

/** The web app's address as this request reached it, with the link in its fragment. */
function linkUrl(context: GatewayContext, request: Request, link: ShareLink): string {
  // As the client reached us: through a trusted proxy, its public scheme and host.
  const scheme = context.proxy.scheme(request);
  // The API is mounted at `<base>/api`; the web app lives at `<base>/`.
  const base = request.baseUrl.replace(/\/api$/, '');
  return `${scheme}://${context.proxy.host(request) ?? ''}${base}/#${SHARE_FRAGMENT_KEY}=${link.id}.${link.secret}`;
}

/** Adds the share-link routes to the API's router. */
export function shareRoutes(router: Router, context: GatewayContext): void {
  const { shares, registry, audit } = context;

  /** Whether `principal` may see and revoke `share`: it controls the session, or made the link. */
  const manages = (principal: Principal, share: Share): boolean => {
    if (principal.share !== undefined) return false;
    if (share.createdBy === principal.name) return true;
    try {
      const session = registry.get(principal, share.session);
      return canControl(principal, { owner: session.owner.name, session: session.id });
    } catch {
      return false;
    }
  };

  router.post('/share/open', (request, response) => {
    const from = context.proxy.clientAddress(request) ?? 'unknown';
    if (context.authFailures.blocked(from)) {
      throw new ProtocolError(
        ErrorCode.RateLimited,
        'too many failed authentications from this address; try again in a minute',
      );
    }
    let link: ShareLink | undefined;
    try {
      link = parseShareLink(parseBody(openShareRequestSchema, request.body, 'share open request').link);
      const { share, visitId } = shares.open(link);
      const visitor = shares.visit(visitId).principal;
      // The session may be gone while the link lives: then there is nothing to open.
      registry.get(visitor, share.session);
      audit.record('share-open', {
        who: visitor.name,
        from,
        session: share.session,
        share: share.id,
        mode: share.mode,
        createdBy: share.createdBy,
        origin: request.headers.origin ?? null,
      });
      response.cookie(
        SHARE_COOKIE_NAME,
        visitId,
        shareCookieOptions(
          context.config.basePath,
          share.session,
          // As the login cookie: Secure when the client reached us by TLS, ours or a trusted proxy's.
          context.proxy.scheme(request) === 'https',
          Math.max(share.expiresAt - Date.now(), 0),
        ),
      );
      const body: OpenShareResponse = {
        session: share.session,
        mode: share.mode,
        expiresAt: new Date(share.expiresAt).toISOString(),
      };
      response.json(body);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // A forged link is a guess: it counts against the address, as a wrong token does.
      if (error.code === ErrorCode.ShareLinkInvalid) context.authFailures.fail(from);
      audit.record('share-open-refused', {
        who: null,
        from,
        share: link?.id ?? null,
        code: error.code,
        reason: error.message,
      });
      throw error;
    }
  });

  router.post('/sessions/:id/shares', authenticate(context), (request, response) => {
    const { principal } = credentialOf(request);
    const session = registry.get(principal, String(request.params.id));
    if (!canControl(principal, { owner: session.owner.name, session: session.id })) {
      throw new ProtocolError(
        ErrorCode.Forbidden,
        'only a credential that may control the session may share it',
      );
    }
    const body = parseBody(createShareRequestSchema, request.body, 'share request');
    const ttlSeconds =
      body.ttlSeconds ?? Math.min(DEFAULT_SHARE_TTL_SECONDS, context.config.shares.maxTtlSeconds);
    const { share, link } = shares.create({
      session: session.id,
      mode: body.mode ?? 'view',
      ttlSeconds,
      createdBy: principal.name,
    });
    audit.record('share-create', {
      who: principal.name,
      from: context.proxy.clientAddress(request),
      session: session.id,
      share: share.id,
      mode: share.mode,
      expiresAt: new Date(share.expiresAt).toISOString(),
    });
    const answer: CreateShareResponse = {
      share: shareInfo(share),
      link: `${link.id}.${link.secret}`,
      url: linkUrl(context, request, link),
    };
    response.status(201).json(answer);
  });

  router.get('/shares', authenticate(context), (request, response) => {
    const { principal } = credentialOf(request);
    const session: unknown = request.query.session;
    if (session !== undefined && typeof session !== 'string')
      throw new ProtocolError(ErrorCode.InvalidRequest, 'session must be one session id');
    const listed = shares.list(
      (share) => (session === undefined || share.session === session) && manages(principal, share),
    );
    response.json({ shares: listed.map(shareInfo) });
  });

  router.delete('/shares/:id', authenticate(context), (request, response) => {
    const { principal } = credentialOf(request);
    const share = shares.get(String(request.params.id));
    if (share === undefined || !manages(principal, share))
      throw new ProtocolError(ErrorCode.NotFound, 'no such share link');
    audit.record('share-revoke', {
      who: principal.name,
      from: context.proxy.clientAddress(request),
      session: share.session,
      share: share.id,
    });
    shares.revoke(share.id);
    response.status(204).end();
  });
}
