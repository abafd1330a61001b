// Sessions whose output is held back by flow control still end: a terminate, an exit of their
// own, and a gateway shutdown all complete, and nothing is left running.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionInfo } from '@shellgate/shared';
import { useGateway } from '../helpers/fixture.ts';
import { api } from '../helpers/http.ts';
import { getSession } from '../helpers/sessions.ts';
import { connect, connectRefused } from '../helpers/ws-client.ts';

const WINDOW = 512 * 1024; // the default flow-control window
const gateway = useGateway({ config: { limits: { maxClientsPerSession: 4 } } });

function create(profile: string, args: string[]): Promise<SessionInfo> {
  return gateway.createSession({ profile, args });
}

async function waitForState(id: string, state: string, timeoutMs = 10_000): Promise<SessionInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const session = await getSession(gateway, id);
    if (session.state === state || Date.now() > deadline) return session;
    await sleep(50);
  }
}

describe('held sessions', () => {
  test('terminating a PTY session held by flow control completes', async () => {
    // Never attached: held at one window from the start, `yes` blocks on a full terminal.
    const session = await create('pty-sh', ['yes']);
    await sleep(500);
    const started = Date.now();
    const response = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}?gracePeriodMs=100`, {
      token: gateway.operatorToken,
    });
    assert.equal(response.status, 200, response.text);
    assert.ok(Date.now() - started < 8_000, 'DELETE answered');
    assert.equal((await getSession(gateway, session.id)).state, 'exited');
  });

  test('a held PTY session whose program exits by itself completes, every byte kept', async () => {
    // A little more than the window: the rest fits in the terminal's buffer, so the program exits
    // while the gateway holds its output.
    const bytes = WINDOW + 6000;
    const session = await create('pty-sh', [`stty -opost; head -c ${bytes} /dev/zero; exit 7`]);
    const exited = await waitForState(session.id, 'exited');
    assert.equal(exited.state, 'exited', 'the exit was noticed with nobody attached');
    assert.deepEqual(exited.exit, { code: 7, signal: null });
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: 0 });
    try {
      await client.nextMessage('exit');
      assert.equal(client.output().length, bytes);
    } finally {
      await client.close();
    }
  });

  test('clients waiting for a snapshot count against the client limit', async () => {
    const session = await create('pty-sh', ['echo ready; sleep 30']);
    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        connect(gateway.url, session.id, { token: gateway.viewerToken, role: 'view' }),
      ),
    );
    const accepted = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    try {
      assert.equal(accepted.length, 4, 'limits.maxClientsPerSession');
      const refusal = await connectRefused(gateway.url, session.id, {
        token: gateway.viewerToken,
        role: 'view',
      });
      assert.equal(refusal.status, 429);
    } finally {
      await Promise.all(accepted.map((client) => client.close()));
      await api(gateway.url, 'DELETE', `/api/sessions/${session.id}?gracePeriodMs=100`, {
        token: gateway.operatorToken,
      });
    }
  });
});
