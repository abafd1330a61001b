// Share links in memory (docs/sharing.md): a link is `<id>.<secret>`; the gateway keeps the id and
// the SHA-256 digest of the secret, never the secret. Opening a link trades it for a random
// "visit" id that the browser's cookie carries, so the link itself need not stay anywhere.
// A link ends by expiry or revocation; whatever was opened with it ends with it (onEnded).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import type { ClientRole, ShareInfo, ShareLink } from '@shellgate/shared';
import type { Principal } from '../auth/principal.js';
import type { SharesConfig } from '../config/schema.js';

/** Links remembered at once, live or ended; the oldest ended ones are forgotten first. */
const MAX_REMEMBERED = 10_000;
/**
 * How long an ended link is remembered, so that using it says "expired" or "revoked" (410) rather
 * than "invalid" (401).
 */
const REMEMBER_ENDED_MS = 24 * 60 * 60_000;
/** Visits (cookies) one link keeps at once. */
const MAX_VISITS_PER_SHARE = 100;
/** setTimeout's longest delay; a later expiry is checked again after this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type ShareEnd = 'expired' | 'revoked';

export interface Share {
  readonly id: string;
  readonly session: string;
  readonly mode: ClientRole;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly digest: Buffer;
  opens: number;
  ended: ShareEnd | undefined;
  endedAt: number;
  timer: NodeJS.Timeout | undefined;
  /** Visit ids handed out as cookies for this link. */
  readonly visits: Set<string>;
}

/** A share's visitor: who the cookie makes its bearer, and until when. */
export interface Visit {
  share: Share;
  principal: Principal;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function shareInfo(share: Share): ShareInfo {
  return {
    id: share.id,
    session: share.session,
    mode: share.mode,
    createdBy: share.createdBy,
    createdAt: new Date(share.createdAt).toISOString(),
    expiresAt: new Date(share.expiresAt).toISOString(),
    opens: share.opens,
  };
}

/** The principal a share's visitor acts as: that one session, in the link's role, nothing else. */
function visitorOf(share: Share): Principal {
  return {
    name: `share:${share.id}`,
    role: share.mode === 'control' ? 'operator' : 'viewer',
    scope: 'own',
    share: { id: share.id, session: share.session },
  };
}

export class ShareStore {
  readonly #shares = new Map<string, Share>();
  readonly #visits = new Map<string, Share>();

  constructor(
    private readonly config: SharesConfig,
    /** Called once when a link expires or is revoked: closes what was opened with it. */
    private readonly onEnded: (share: Share, end: ShareEnd) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new link to `session`. Throws FORBIDDEN when sharing is off or the session has its fill. */
  create(request: { session: string; mode: ClientRole; ttlSeconds: number; createdBy: string }): {
    share: Share;
    link: ShareLink;
  } {
    if (!this.config.enabled)
      throw new ProtocolError(ErrorCode.Forbidden, 'share links are disabled (shares.enabled)');
    if (request.ttlSeconds > this.config.maxTtlSeconds) {
      throw new ProtocolError(
        ErrorCode.InvalidRequest,
        `ttlSeconds ${request.ttlSeconds} is longer than shares.maxTtlSeconds (${this.config.maxTtlSeconds})`,
      );
    }
    const live = this.list((share) => share.session === request.session).length;
    if (live >= this.config.maxPerSession) {
      throw new ProtocolError(
        ErrorCode.Forbidden,
        `the session already has ${this.config.maxPerSession} live share links (shares.maxPerSession)`,
      );
    }
    this.#forgetOld();
    const link = { id: randomBytes(16).toString('base64url'), secret: randomBytes(32).toString('base64url') };
    const createdAt = this.now();
    const share: Share = {
      id: link.id,
      session: request.session,
      mode: request.mode,
      createdBy: request.createdBy,
      createdAt,
      expiresAt: createdAt + request.ttlSeconds * 1000,
      digest: sha256(link.secret),
      opens: 0,
      ended: undefined,
      endedAt: 0,
      timer: undefined,
      visits: new Set(),
    };
    this.#shares.set(share.id, share);
    this.#watchExpiry(share);
    return { share, link };
  }

  /** Live links that `filter` keeps, oldest first. */
  list(filter: (share: Share) => boolean): Share[] {
    return [...this.#shares.values()].filter((share) => this.#live(share) && filter(share));
  }

  /** A live link by id, or undefined. */
  get(id: string): Share | undefined {
    const share = this.#shares.get(id);
    return share !== undefined && this.#live(share) ? share : undefined;
  }

  /**
   * Checks a presented link and hands out a visit id for the cookie. Throws SHARE_LINK_INVALID for
   * a link never issued or a wrong secret, SHARE_LINK_EXPIRED / SHARE_LINK_REVOKED for an ended one.
   */
  open(link: ShareLink): { share: Share; visitId: string } {
    const share = this.#shares.get(link.id);
    // The digest is compared even for an unknown id, so that timing does not tell ids apart.
    const expected = share?.digest ?? sha256('');
    const matches = timingSafeEqual(expected, sha256(link.secret));
    if (share === undefined || !matches) {
      throw new ProtocolError(ErrorCode.ShareLinkInvalid, 'not a valid share link');
    }
    this.#refuseEnded(share);
    share.opens += 1;
    const visitId = randomBytes(32).toString('base64url');
    // A link opened over and over keeps its latest visits; the oldest cookie stops working.
    if (share.visits.size >= MAX_VISITS_PER_SHARE) {
      const [oldest] = share.visits;
      if (oldest !== undefined) {
        share.visits.delete(oldest);
        this.#visits.delete(oldest);
      }
    }
    share.visits.add(visitId);
    this.#visits.set(visitId, share);
    return { share, visitId };
  }

  /** Who a visit cookie makes its bearer; throws like {@link open} once its link has ended. */
  visit(visitId: string): Visit {
    const share = this.#visits.get(visitId);
    if (share === undefined) throw new ProtocolError(ErrorCode.ShareLinkInvalid, 'not a valid share link');
    this.#refuseEnded(share);
    return { share, principal: visitorOf(share) };
  }

  /** Ends a live link; false when there is none by that id. */
  revoke(id: string): boolean {
    const share = this.get(id);
    if (share === undefined) return false;
    this.#end(share, 'revoked');
    return true;
  }

  /** Shutdown: the expiry timers go (links die with the gateway; nothing is left to close). */
  close(): void {
    for (const share of this.#shares.values()) clearTimeout(share.timer);
  }

  #live(share: Share): boolean {
    if (share.ended === undefined && share.expiresAt <= this.now()) this.#end(share, 'expired');
    return share.ended === undefined;
  }

  #refuseEnded(share: Share): void {
    if (this.#live(share)) return;
    if (share.ended === 'revoked')
      throw new ProtocolError(ErrorCode.ShareLinkRevoked, 'the share link was revoked');
    throw new ProtocolError(ErrorCode.ShareLinkExpired, 'the share link has expired');
  }

  #watchExpiry(share: Share): void {
    const delay = Math.min(Math.max(share.expiresAt - this.now(), 0), MAX_TIMER_MS);
    share.timer = setTimeout(() => {
      if (this.#live(share)) this.#watchExpiry(share);
    }, delay);
    share.timer.unref();
  }

  #end(share: Share, end: ShareEnd): void {
    if (share.ended !== undefined) return;
    share.ended = end;
    share.endedAt = this.now();
    clearTimeout(share.timer);
    // Its visits stay known until the link is forgotten, so that their cookies get a 410 too.
    this.onEnded(share, end);
  }

  /** Forgets ended links after a day, and the oldest ones beyond MAX_REMEMBERED. */
  #forgetOld(): void {
    const now = this.now();
    for (const share of this.#shares.values()) {
      if (this.#live(share)) continue;
      if (now - share.endedAt >= REMEMBER_ENDED_MS || this.#shares.size >= MAX_REMEMBERED)
        this.#forget(share);
    }
    // Still full of live links: the oldest one ends to make room.
    const oldest = this.#shares.size >= MAX_REMEMBERED ? this.#shares.values().next() : undefined;
    if (oldest !== undefined && oldest.done !== true) {
      this.#end(oldest.value, 'expired');
      this.#forget(oldest.value);
    }
  }

  #forget(share: Share): void {
    for (const visit of share.visits) this.#visits.delete(visit);
    this.#shares.delete(share.id);
  }
}
