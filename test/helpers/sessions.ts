// Creating and ending sessions over HTTP in tests, and remembering their process groups so that
// a test file can prove none is left behind.
import assert from 'node:assert/strict';
import { sessionInfoSchema } from '@shellgate/shared';
import type { SessionInfo } from '@shellgate/shared';
import type { Gateway } from './gateway.js';
import { api, get } from './http.js';
import { liveProcesses, waitUntil } from './processes.js';

/** Process groups of every session created through `createSession` in this test process. */
export const startedGroups = new Set<number>();

export async function createSession(
  gateway: Gateway,
  profile: string,
  args?: string[],
  token = gateway.operatorToken,
): Promise<SessionInfo> {
  const response = await api(gateway.url, 'POST', '/api/sessions', {
    token,
    body: args === undefined ? { profile } : { profile, args },
  });
  assert.equal(response.status, 201, response.text);
  const session = sessionInfoSchema.parse(get(response.body, 'session'));
  if (session.pid !== null) startedGroups.add(session.pid);
  return session;
}

export async function getSession(
  gateway: Gateway,
  id: string,
  token = gateway.operatorToken,
): Promise<SessionInfo> {
  const response = await api(gateway.url, 'GET', `/api/sessions/${id}`, { token });
  assert.equal(response.status, 200, response.text);
  return sessionInfoSchema.parse(get(response.body, 'session'));
}

/** A shell script for the `sh` profile (`sh -c <script>`). */
export function sh(gateway: Gateway, script: string): Promise<SessionInfo> {
  return createSession(gateway, 'sh', [script]);
}

/**
 * Waits until `command` is the foreground job of a terminal session — the shell has handed the
 * terminal to it — so that a key such as Ctrl-C reaches it rather than the shell. Reads /proc:
 * the job runs in the session's terminal session, in the terminal's foreground process group.
 */
export async function waitForForegroundJob(
  gateway: Gateway,
  sessionId: string,
  command: string,
): Promise<void> {
  const { pid } = await getSession(gateway, sessionId);
  assert.ok(pid !== null, `session ${sessionId} has no process`);
  await waitUntil(
    `${command} is the foreground job of session ${sessionId}`,
    () =>
      liveProcesses().some(
        (info) => info.session === pid && info.comm === command && info.pgrp === info.tpgid,
      ),
    15_000,
  );
}
