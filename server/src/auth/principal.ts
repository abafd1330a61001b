// Who is asking: a configured token's identity. Never holds the token itself.
import type { TokenRole } from '@shellgate/shared';

export type Scope = 'own' | 'all';

export interface Principal {
  /** The token's configured name: what logs, audit records and `owner` fields show. */
  name: string;
  role: TokenRole;
  /** Which sessions it sees: those it created, or all of them. */
  scope: Scope;
  /** May read GET /metrics (a token's `metrics: true`). */
  metrics?: boolean;
  /** Set for whoever opened a share link: that one share, confined to its one session. */
  share?: { id: string; session: string };
}

/** A session, or a recording of one, as far as who may see it goes. */
export interface Owned {
  /** The token name that created the session. */
  owner: string;
  /** The session's id. */
  session: string;
}

/** Whether `principal` may see `target`: its own, all with scope "all", only its own with a share. */
export function canSee(principal: Principal, target: Owned): boolean {
  if (principal.share !== undefined) return principal.share.session === target.session;
  return principal.scope === 'all' || principal.name === target.owner;
}

/** Whether `principal` may write to, signal or terminate `target`. */
export function canControl(principal: Principal, target: Owned): boolean {
  return principal.role === 'operator' && canSee(principal, target);
}
