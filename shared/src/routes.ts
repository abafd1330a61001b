// Every path of the gateway's API, defined once: the server matches them, clients build them.
import type { StreamQuery } from './stream-query.js';

/** `/api/sessions/:id…` with the id escaped, so an odd id can never reach another route. */
const sessionBase = (id: string): string => `/api/sessions/${encodeURIComponent(id)}`;

/** The HTTP API's paths (docs/protocol.md, "HTTP API"). */
export const ApiPath = {
  login: '/api/login',
  logout: '/api/logout',
  whoami: '/api/whoami',
  profiles: '/api/profiles',
  sessions: '/api/sessions',
  nodes: '/api/nodes',
  session: sessionBase,
  signal: (id: string): string => `${sessionBase(id)}/signal`,
  /** `POST`: a share link to the session (docs/sharing.md). */
  sessionShares: (id: string): string => `${sessionBase(id)}/shares`,
  /** `GET`: the share links this credential may manage (`?session=` for one session's). */
  shares: '/api/shares',
  /** `DELETE`: revokes a share link. */
  share: (id: string): string => `/api/shares/${encodeURIComponent(id)}`,
  recordings: '/api/recordings',
  /** `GET` downloads the asciicast file; `DELETE` removes it. */
  recording: (id: string): string => `/api/recordings/${encodeURIComponent(id)}`,
  /** `POST {link}`: exchanges a share link for a cookie to its one session. */
  shareOpen: '/api/share/open',
} as const;

/** The exec upgrade: create a session from a profile and attach to it as control in one handshake. */
export const EXEC_PATH = '/api/exec';

/** The WebSocket URL of an exec upgrade: the fields of `POST /api/sessions`, one `arg` per argument. */
export function execUrl(
  baseUrl: string,
  request: { profile: string; args?: readonly string[]; cols?: number; rows?: number; node?: string },
): string {
  const base = baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
  const fields = [`profile=${encodeURIComponent(request.profile)}`];
  for (const arg of request.args ?? []) fields.push(`arg=${encodeURIComponent(arg)}`);
  if (request.cols !== undefined) fields.push(`cols=${String(request.cols)}`);
  if (request.rows !== undefined) fields.push(`rows=${String(request.rows)}`);
  if (request.node !== undefined) fields.push(`node=${encodeURIComponent(request.node)}`);
  return `${base}${EXEC_PATH}?${fields.join('&')}`;
}

/** `/api/sessions/:id/stream`: where a session's WebSocket lives. */
export function streamPath(id: string): string {
  return `${sessionBase(id)}/stream`;
}

/** Ids are at most this long on the stream path; anything longer is not a stream path. */
const STREAM_PATH = /^\/api\/sessions\/([^/]{1,128})\/stream$/;

/** The raw (still escaped) session id of a stream path, or undefined for any other path. */
export function matchStreamPath(pathname: string): string | undefined {
  return STREAM_PATH.exec(pathname)?.[1];
}

/** `?offset=N&role=…` (only the fields given; empty when none). */
export function streamQueryString(query: StreamQuery): string {
  const fields: string[] = [];
  if (query.offset !== undefined) fields.push(`offset=${String(query.offset)}`);
  if (query.role !== undefined) fields.push(`role=${query.role}`);
  if (query.input !== undefined) fields.push(`input=${String(query.input)}`);
  return fields.length === 0 ? '' : `?${fields.join('&')}`;
}

/**
 * The WebSocket URL of a session's stream on the gateway at `baseUrl` (`http://host:port`,
 * `https://…`, or already `ws://`/`wss://`; a trailing slash is fine).
 */
export function streamUrl(baseUrl: string, id: string, query: StreamQuery = {}): string {
  const base = baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
  return `${base}${streamPath(id)}${streamQueryString(query)}`;
}
