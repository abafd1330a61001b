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
}

/** Whether `principal` may see a session created by the token named `owner`. */
export function canSee(principal: Principal, owner: string): boolean {
  return principal.scope === 'all' || principal.name === owner;
}

/** Whether `principal` may write to, signal or terminate a session created by `owner`. */
export function canControl(principal: Principal, owner: string): boolean {
  return principal.role === 'operator' && canSee(principal, owner);
}
