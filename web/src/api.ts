// The gateway's HTTP API, typed. Responses are validated with the shared schemas; every failure is
// an ApiError carrying the server's stable error code (or null when the body was not ours).
import {
  ApiPath,
  createShareResponseSchema,
  errorBodySchema,
  openShareResponseSchema,
  recordingsResponseSchema,
  shareListResponseSchema,
  parseWith,
  nodesResponseSchema,
  profilesResponseSchema,
  sessionResponseSchema,
  sessionsResponseSchema,
  terminateResponseSchema,
  whoamiResponseSchema,
} from '@shellgate/shared';
import { appUrl } from './base-url.js';
import type {
  CreateShareRequest,
  CreateShareResponse,
  OpenShareResponse,
  RecordingInfo,
  ShareInfo,
  CreateSessionRequest,
  ErrorCode,
  ExitStatus,
  Identity,
  NodeInfo,
  ProfileInfo,
  SessionInfo,
} from '@shellgate/shared';

type Schema<T> = Parameters<typeof parseWith<T>>[0];

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | null,
    message: string,
  ) {
    super(message);
  }
}

/** Called on every 401, so the app can send the operator back to the sign-in form. */
let unauthorizedHandler: (() => void) | undefined;
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

async function request<T>(
  method: string,
  path: string,
  schema: Schema<T> | null,
  body?: unknown,
): Promise<T | undefined> {
  let response: Response;
  try {
    response = await fetch(appUrl(path), {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (cause) {
    // The browser says only "Failed to fetch": the network or the gateway is down.
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ApiError(0, null, `the gateway cannot be reached (${why})`);
  }
  if (!response.ok) throw await toApiError(response, path);
  if (schema === null || response.status === 204) return undefined;
  return parseWith(schema, await response.json(), `response of ${method} ${path}`);
}

async function toApiError(response: Response, path: string): Promise<ApiError> {
  let value: unknown;
  try {
    value = await response.json();
  } catch {
    value = undefined;
  }
  const parsed = errorBodySchema.safeParse(value);
  const error = parsed.success
    ? new ApiError(response.status, parsed.data.error.code, parsed.data.error.message)
    : new ApiError(response.status, null, `HTTP ${response.status} from ${path}`);
  if (response.status === 401 && path !== ApiPath.login) unauthorizedHandler?.();
  return error;
}

async function requestOk<T>(method: string, path: string, schema: Schema<T>, body?: unknown): Promise<T> {
  const result = await request(method, path, schema, body);
  if (result === undefined) throw new ApiError(204, null, `empty response from ${method} ${path}`);
  return result;
}

export const api = {
  login: (token: string): Promise<Identity> =>
    requestOk('POST', ApiPath.login, whoamiResponseSchema, { token }),
  logout: async (): Promise<void> => {
    await request('POST', ApiPath.logout, null);
  },
  whoami: (): Promise<Identity> => requestOk('GET', ApiPath.whoami, whoamiResponseSchema),
  /** The fleet's nodes ([] outside fleet mode). */
  nodes: async (): Promise<NodeInfo[]> => (await requestOk('GET', ApiPath.nodes, nodesResponseSchema)).nodes,
  /** The profiles of the node asked, or (fleet mode) of node `node`. */
  profiles: async (node?: string): Promise<ProfileInfo[]> => {
    const path =
      node === undefined ? ApiPath.profiles : `${ApiPath.profiles}?node=${encodeURIComponent(node)}`;
    return (await requestOk('GET', path, profilesResponseSchema)).profiles;
  },
  sessions: async (): Promise<SessionInfo[]> =>
    (await requestOk('GET', ApiPath.sessions, sessionsResponseSchema)).sessions,
  session: async (id: string): Promise<SessionInfo> =>
    (await requestOk('GET', ApiPath.session(id), sessionResponseSchema)).session,
  createSession: async (body: CreateSessionRequest): Promise<SessionInfo> =>
    (await requestOk('POST', ApiPath.sessions, sessionResponseSchema, body)).session,
  terminate: async (id: string): Promise<ExitStatus> =>
    (await requestOk('DELETE', ApiPath.session(id), terminateResponseSchema)).exit,
  createShare: (id: string, body: CreateShareRequest): Promise<CreateShareResponse> =>
    requestOk('POST', ApiPath.sessionShares(id), createShareResponseSchema, body),
  shares: async (session: string): Promise<ShareInfo[]> =>
    (
      await requestOk(
        'GET',
        `${ApiPath.shares}?session=${encodeURIComponent(session)}`,
        shareListResponseSchema,
      )
    ).shares,
  revokeShare: async (id: string): Promise<void> => {
    await request('DELETE', ApiPath.share(id), null);
  },
  openShare: (link: string): Promise<OpenShareResponse> =>
    requestOk('POST', ApiPath.shareOpen, openShareResponseSchema, { link }),
  recordings: async (): Promise<RecordingInfo[]> =>
    (await requestOk('GET', ApiPath.recordings, recordingsResponseSchema)).recordings,
  deleteRecording: async (id: string): Promise<void> => {
    await request('DELETE', ApiPath.recording(id), null);
  },
  /** The recording's asciicast text. */
  recordingText: async (id: string): Promise<string> => {
    const response = await fetch(ApiPath.recording(id), { credentials: 'same-origin' });
    if (!response.ok) throw await toApiError(response, ApiPath.recording(id));
    return response.text();
  },
};
