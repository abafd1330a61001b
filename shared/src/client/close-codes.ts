// What a closed connection means for the client: retry (with backoff) or stop, and the sentence to
// show. One rule per CloseCode, so that a new code cannot be added without a decision here.
import { CloseCode } from '../errors.js';
import { RECONNECT } from './constants.js';

/** Why the client stopped for good. */
export type StopReason = 'ended' | 'closed' | 'gone' | 'unauthorized' | 'refused';

export type CloseVerdict =
  { readonly retry: true } | { readonly retry: false; readonly reason: StopReason; readonly detail: string };

type CloseRule =
  | { readonly retry: true }
  | {
      readonly retry: false;
      readonly reason: StopReason;
      readonly detail: (why: string) => string;
    };

const RETRY: CloseRule = { retry: true };
const REFUSED: CloseRule = { retry: false, reason: 'refused', detail: (why) => `connection refused: ${why}` };

const RULES: Record<CloseCode, CloseRule> = {
  [CloseCode.Normal]: { retry: false, reason: 'closed', detail: (why) => `closed by the gateway: ${why}` },
  [CloseCode.GoingAway]: RETRY,
  [CloseCode.ProtocolError]: REFUSED,
  [CloseCode.MessageTooLarge]: REFUSED,
  [CloseCode.InternalError]: RETRY,
  [CloseCode.SessionGone]: { retry: false, reason: 'gone', detail: () => 'the session is gone' },
  [CloseCode.Unauthorized]: { retry: false, reason: 'unauthorized', detail: () => 'signed out' },
  [CloseCode.ShareEnded]: {
    retry: false,
    reason: 'unauthorized',
    detail: (why) => `the share link ended: ${why}`,
  },
  [CloseCode.HeartbeatTimeout]: RETRY,
  [CloseCode.ClientNotReading]: RETRY,
  [CloseCode.NodeLost]: RETRY,
  [CloseCode.RateLimited]: RETRY,
};

function isCloseCode(code: number): code is CloseCode {
  return Object.hasOwn(RULES, code);
}

/** `reason (code)`, or `code N` when the close carried no reason. */
export function describeClose(code: number, reason: string): string {
  return reason === '' ? `code ${code}` : `${reason} (${code})`;
}

/**
 * The decision for a close with `code` and `reason`. After the session's `exit` there is nothing
 * to reconnect for: a close that would be retried, or a normal one, ends the client instead.
 * Codes the gateway never sends (1006, a dropped connection, and the like) are retried.
 */
export function closeVerdict(code: number, reason: string, exited: boolean): CloseVerdict {
  const rule = isCloseCode(code) ? RULES[code] : RETRY;
  if (exited && (rule.retry || code === CloseCode.Normal)) {
    return { retry: false, reason: 'ended', detail: 'session ended' };
  }
  if (rule.retry) return rule;
  return { retry: false, reason: rule.reason, detail: rule.detail(describeClose(code, reason)) };
}

/**
 * How long to wait before retry number `attempt` (0 for the first): exponential up to
 * RECONNECT.maxMs, then jittered into [half, all] of it so that a gateway restart is not greeted by
 * every client at the same instant. `random` is in [0, 1), as Math.random.
 */
export function reconnectDelay(attempt: number, random: () => number): number {
  const delay = Math.min(RECONNECT.maxMs, RECONNECT.baseMs * 2 ** attempt);
  return Math.round(delay * (0.5 + random() / 2));
}
