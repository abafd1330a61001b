// The few HTTP calls the commands make, each answer checked against the protocol's schema.
import {
  ApiPath,
  createShareResponseSchema,
  parseWith,
  sessionResponseSchema,
  sessionsResponseSchema,
  terminateResponseSchema,
} from '@shellgate/shared';
import type {
  CreateShareRequest,
  CreateShareResponse,
  ExitStatus,
  SessionInfo,
  SignalName,
} from '@shellgate/shared';
import type { Target } from './credentials.js';
import { ClientError, ClientErrorCode } from './errors.js';
import { requestJson } from './http.js';

function checked<T>(schema: Parameters<typeof parseWith<T>>[0], value: unknown, what: string): T {
  try {
    return parseWith(schema, value, what);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ClientError(ClientErrorCode.Protocol, `unexpected answer from the gateway: ${reason}`, {
      cause: error,
    });
  }
}

export async function listSessions(target: Target): Promise<SessionInfo[]> {
  const answer = await requestJson(target, 'GET', ApiPath.sessions);
  return checked(sessionsResponseSchema, answer, 'session list').sessions;
}

export async function getSession(target: Target, id: string): Promise<SessionInfo> {
  const answer = await requestJson(target, 'GET', ApiPath.session(id));
  return checked(sessionResponseSchema, answer, 'session').session;
}

export async function terminateSession(
  target: Target,
  id: string,
  gracePeriodMs?: number,
): Promise<ExitStatus> {
  const body = gracePeriodMs === undefined ? undefined : { gracePeriodMs };
  const answer = await requestJson(target, 'DELETE', ApiPath.session(id), body);
  return checked(terminateResponseSchema, answer, 'termination').exit;
}

export async function signalSession(target: Target, id: string, signal: SignalName): Promise<void> {
  await requestJson(target, 'POST', ApiPath.signal(id), { signal });
}

export async function createShare(
  target: Target,
  id: string,
  request: CreateShareRequest,
): Promise<CreateShareResponse> {
  const answer = await requestJson(target, 'POST', ApiPath.sessionShares(id), request);
  return checked(createShareResponseSchema, answer, 'share link');
}
