// Hash routes: `#/` the session list, `#/sessions/<id>` attached, `#/sessions/<id>/view` watching.
import type { ClientRole } from '@shellgate/shared';

export type Route =
  | { name: 'sessions' }
  | { name: 'session'; id: string; role: ClientRole }
  | { name: 'signin' }
  | { name: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/') return { name: 'sessions' };
  if (path === '/signin') return { name: 'signin' };
  const match = /^\/sessions\/([^/]+)(\/view)?$/.exec(path);
  const id = match?.[1];
  if (match !== null && id !== undefined) {
    return { name: 'session', id: decodeURIComponent(id), role: match[2] === undefined ? 'control' : 'view' };
  }
  return { name: 'not-found', hash };
}

/** `#token=…` from the start-up URL the gateway prints; null when absent. */
export function takeTokenFromHash(): string | null {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (match?.[1] === undefined) return null;
  // Out of the address bar and out of history before anything else happens.
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  return decodeURIComponent(match[1]);
}
