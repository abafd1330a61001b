// The cookie a share link is traded for: a visit id, sent by the browser only to the paths of the
// link's session, and out of scripts' reach.
import { streamPath } from '@shellgate/shared';
import type { CookieOptions } from 'express';

export const SHARE_COOKIE_NAME = 'shellgate_share';

/**
 * `<basePath>/api/sessions/<id>`: the session's HTTP resource, its stream and its signal path,
 * nothing else.
 */
export function shareCookiePath(basePath: string, session: string): string {
  return basePath + streamPath(session).replace(/\/stream$/, '');
}

export function shareCookieOptions(
  basePath: string,
  session: string,
  secure: boolean,
  maxAgeMs: number,
): CookieOptions {
  return {
    path: shareCookiePath(basePath, session),
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: maxAgeMs,
  };
}
