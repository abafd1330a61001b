// Every 429 says when trying again can succeed (`Retry-After`, in seconds): failed authentications
// the seconds left in the address's one-minute window, on logins, bearer requests and upgrades;
// the session and client limits a few seconds, on HTTP and on the upgrade alike.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXEC_PATH, SUBPROTOCOL } from '@shellgate/shared';
import WebSocket from 'ws';
import { useGateways } from '../helpers/fixture.js';
import type { Gateway } from '../helpers/gateway.js';
import { api, errorCode } from '../helpers/http.js';
import { createSession } from '../helpers/sessions.js';
import { connect, connectRefused, upgradeRefusal } from '../helpers/ws-client.js';
import type { Refusal } from '../helpers/ws-client.js';

const WINDOW_SECONDS = 60;
const gateways = useGateways();

/** A 429's Retry-After header (fetch's `headers.get` or node's header object) as seconds. */
function retryAfter(raw: string | string[] | null | undefined): number {
  assert.equal(typeof raw, 'string', 'a 429 carries Retry-After');
  assert.match(String(raw), /^\d+$/, 'Retry-After is whole seconds');
  return Number(raw);
}

/**
 * A window that started `elapsedMs` ago frees in 60 s minus that, rounded up; the bound allows a
 * loaded machine's delays between the failure and the answer.
 */
function assertWindowRemainder(seconds: number, startedAt: number): void {
  const elapsed = Math.floor((performance.now() - startedAt) / 1000);
  assert.ok(
    seconds <= WINDOW_SECONDS && seconds >= WINDOW_SECONDS - elapsed - 1,
    `Retry-After ${seconds} s, ${elapsed} s into the window`,
  );
}

/** An exec upgrade expected to be refused: the HTTP answer's status, Retry-After and body. */
function execRefused(gateway: Gateway, token: string): Promise<Refusal> {
  const url = `${gateway.url.replace(/^http/, 'ws')}${EXEC_PATH}?profile=cat`;
  return upgradeRefusal(new WebSocket(url, [SUBPROTOCOL], { headers: { authorization: `Bearer ${token}` } }));
}

describe('Retry-After on every 429', () => {
  test('failed logins: the seconds left in the window', async () => {
    const gateway = await gateways.start({ config: { limits: { loginFailuresPerMinute: 2 } } });
    const startedAt = performance.now();
    for (let i = 0; i < 2; i += 1) {
      const failed = await api(gateway.url, 'POST', '/api/login', { body: { token: `wrong-${i}` } });
      assert.equal(failed.status, 401);
    }
    const limited = await api(gateway.url, 'POST', '/api/login', { body: { token: gateway.operatorToken } });
    assert.equal(limited.status, 429);
    assert.equal(errorCode(limited), 'RATE_LIMITED');
    assertWindowRemainder(retryAfter(limited.headers.get('retry-after')), startedAt);
    assert.match(limited.text, /try again in \d+ s/);
    await gateway.stop();
  });

  test('failed bearer tokens: the seconds left in the window, on HTTP and on the upgrade', async () => {
    const gateway = await gateways.start({ config: { limits: { loginFailuresPerMinute: 2 } } });
    const session = await createSession(gateway, 'cat');
    const startedAt = performance.now();
    for (let i = 0; i < 2; i += 1) {
      assert.equal((await api(gateway.url, 'GET', '/api/whoami', { token: `guess-${i}` })).status, 401);
    }
    const http = await api(gateway.url, 'GET', '/api/sessions', { token: 'guess-2' });
    assert.equal(http.status, 429);
    assertWindowRemainder(retryAfter(http.headers.get('retry-after')), startedAt);
    const upgrade = await connectRefused(gateway.url, session.id, { token: 'guess-3' });
    assert.equal(upgrade.status, 429);
    assert.match(upgrade.body, /RATE_LIMITED/);
    assertWindowRemainder(retryAfter(upgrade.headers['retry-after']), startedAt);
    await gateway.stop();
  });

  test('the session limit, on POST /api/sessions and on an exec upgrade', async () => {
    const gateway = await gateways.start({ config: { limits: { maxSessionsPerToken: 1 } } });
    const session = await createSession(gateway, 'cat');
    const http = await api(gateway.url, 'POST', '/api/sessions', {
      token: gateway.operatorToken,
      body: { profile: 'cat' },
    });
    assert.equal(http.status, 429);
    assert.equal(errorCode(http), 'SESSION_LIMIT');
    assert.ok(retryAfter(http.headers.get('retry-after')) >= 1);
    const exec = await execRefused(gateway, gateway.operatorToken);
    assert.equal(exec.status, 429);
    assert.match(exec.body, /SESSION_LIMIT/);
    assert.ok(retryAfter(exec.headers['retry-after']) >= 1);
    await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
    await gateway.stop();
  });

  test('the client limit of a session, on the upgrade', async () => {
    const gateway = await gateways.start({ config: { limits: { maxClientsPerSession: 1 } } });
    const session = await createSession(gateway, 'cat');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const refusal = await connectRefused(gateway.url, session.id, { token: gateway.operatorToken });
    assert.equal(refusal.status, 429);
    assert.match(refusal.body, /CLIENT_LIMIT/);
    assert.ok(retryAfter(refusal.headers['retry-after']) >= 1);
    await client.close();
    await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
    await gateway.stop();
  });
});
