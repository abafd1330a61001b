// What a share visitor may reach over HTTP: its one session's resource and signal path. Everything
// else (the session list, profiles, recordings, other sessions, creating sessions or links) is
// refused, whatever routes are added later: this is an allow-list.
import type { Principal } from '../auth/principal.js';

const SESSION_PATHS = /^\/api\/sessions\/([^/]{1,128})(?:\/signal)?$/;

/** Whether a share's visitor may send a request to `path` (relative to the base path). */
export function shareMayUse(share: NonNullable<Principal['share']>, path: string): boolean {
  const raw = SESSION_PATHS.exec(path)?.[1];
  if (raw === undefined) return false;
  try {
    return decodeURIComponent(raw) === share.session;
  } catch {
    return false;
  }
}
