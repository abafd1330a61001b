// The cookie a share link is traded for: a visit id, sent by the browser only to the paths of the
// link's session, and out of scripts' reach.
import { streamPath } from '@shellgate/shared';
import type { CookieOptions } from 'express';

export const SHARE_COOKIE_NAME = 'shellgate_share';

/** `/api/sessions/<id>`: the session's HTTP resource, its stream and its signal path, nothing else. */
export function shareCookiePath(session: string): string {
  return streamPath(session).replace(/\/stream$/, '');
}

export function shareCookieOptions(session: string, secure: boolean, maxAgeMs: number): CookieOptions {
  return { path: shareCookiePath(session), httpOnly: true, sameSite: 'strict', secure, maxAge: maxAgeMs };
}
