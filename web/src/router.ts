// Hash routes: `#/` the session list, `#/sessions/<id>` attached, `#/sessions/<id>/view` watching,
// `#/recordings` and `#/recordings/<id>` (playback), `#/shared` the one session a share link opened.
import type { ClientRole } from '@shellgate/shared';

export type Route =
  | { name: 'sessions' }
  | { name: 'session'; id: string; role: ClientRole }
  | { name: 'signin' }
  | { name: 'recordings' }
  | { name: 'recording'; id: string }
  | { name: 'shared' }
  | { name: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/') return { name: 'sessions' };
  if (path === '/signin') return { name: 'signin' };
  if (path === '/recordings') return { name: 'recordings' };
  if (path === '/shared') return { name: 'shared' };
  const recording = /^\/recordings\/([^/]+)$/.exec(path)?.[1];
  if (recording !== undefined) return { name: 'recording', id: decodeURIComponent(recording) };
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

/** `#share=<id>.<secret>` from a share link (docs/sharing.md); null when absent. */
export function takeShareFromHash(): string | null {
  const match = /^#share=([^&]+)/.exec(location.hash);
  if (match?.[1] === undefined) return null;
  // As with the token: out of the address bar and history before it is used.
  history.replaceState(null, '', `${location.pathname}${location.search}#/shared`);
  return match[1];
}
