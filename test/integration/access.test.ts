// Who may do what: authentication and Origin/Host checks before the upgrade (nothing attached,
// nothing spawned), roles, visibility between tokens, several clients at once.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { waitForAuditRecords } from '../helpers/audit.js';
import { startGateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/fixture.js';
import type { Gateway } from '../helpers/gateway.js';
import { api, errorCode, get, getString } from '../helpers/http.js';
import { createSession, getSession } from '../helpers/sessions.js';
import { connect, connectRefused } from '../helpers/ws-client.js';

const secondOperator = 'second-operator-token-0123456789';

const gateway = useGateway({ config: { limits: { maxClientsPerSession: 3 } } });

async function login(gw: Gateway, token: string): Promise<string> {
  const response = await api(gw.url, 'POST', '/api/login', { body: { token }, origin: gw.origin });
  assert.equal(response.status, 200, response.text);
  const cookie = response.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^shellgate_session=[A-Za-z0-9_-]{40,}; /);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\//);
  assert.ok(!cookie.includes(token), 'the cookie never carries the token');
  return cookie.split(';')[0] ?? '';
}

describe('the upgrade is authenticated before any 101', () => {
  test('no credential, a wrong token, a wrong cookie: 401 and nothing attached', async () => {
    const session = await createSession(gateway, 'cat');
    for (const options of [
      {},
      { token: 'wrong-token-wrong-token' },
      { cookie: 'shellgate_session=forged' },
    ]) {
      const refusal = await connectRefused(gateway.url, session.id, options);
      assert.equal(refusal.status, 401, JSON.stringify(options));
      assert.match(refusal.body, /UNAUTHORIZED/);
    }
    assert.equal((await getSession(gateway, session.id)).clients, 0);
  });

  test('a foreign Origin gets 403 ORIGIN_REJECTED, even with a valid token', async () => {
    const session = await createSession(gateway, 'cat');
    const refusal = await connectRefused(gateway.url, session.id, {
      token: gateway.operatorToken,
      origin: 'http://evil.example',
    });
    assert.equal(refusal.status, 403);
    assert.match(refusal.body, /ORIGIN_REJECTED/);
    // Answered outside express, with the same security headers as every HTTP response.
    const api401 = await fetch(`${gateway.url}/api/whoami`);
    for (const name of ['content-security-policy', 'x-content-type-options', 'referrer-policy']) {
      assert.equal(refusal.headers[name], api401.headers.get(name), name);
    }
    assert.equal(refusal.headers['cross-origin-opener-policy'], 'same-origin');
    const own = await connect(gateway.url, session.id, {
      token: gateway.operatorToken,
      origin: gateway.origin,
    });
    await own.close();
  });

  test('a hybi-08 handshake (origin in Sec-WebSocket-Origin) with a login cookie gets 426, not a stream', async () => {
    const session = await createSession(gateway, 'cat');
    const cookie = await login(gateway, gateway.operatorToken);
    // ws's own client always sends version 13; this is what a hybi-08 client sends.
    const refusal = await new Promise<{ status: number | undefined; version: unknown; body: string }>(
      (resolve, reject) => {
        const request = httpRequest(`${gateway.url}/api/sessions/${session.id}/stream`, {
          headers: {
            cookie,
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '8',
            'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
            'sec-websocket-origin': 'http://evil.example',
            'sec-websocket-protocol': 'shellgate.v1',
          },
        });
        request.on('upgrade', () => reject(new Error('the version-8 handshake was upgraded')));
        request.on('response', (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (text: string) => (body += text));
          response.on('end', () =>
            resolve({
              status: response.statusCode,
              version: response.headers['sec-websocket-version'],
              body,
            }),
          );
        });
        request.on('error', reject);
        request.end();
      },
    );
    assert.equal(refusal.status, 426);
    assert.equal(refusal.version, '13');
    assert.match(refusal.body, /UNSUPPORTED_WEBSOCKET_VERSION/);
    assert.equal((await getSession(gateway, session.id)).clients, 0, 'nothing attached');
  });

  test('a Host that is not ours (DNS rebinding) gets 403', async () => {
    const session = await createSession(gateway, 'cat');
    const refusal = await connectRefused(gateway.url, session.id, {
      token: gateway.operatorToken,
      headers: { host: `rebound.example:${gateway.port}` },
    });
    assert.equal(refusal.status, 403);
    assert.match(refusal.body, /host \\"rebound\.example:\d+\\" is not allowed; add it to allowedHosts/);
    // fetch() will not send a foreign Host header; node:http will.
    const answer = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const request = httpRequest(`${gateway.url}/api/whoami`, {
        headers: { host: 'rebound.example', authorization: `Bearer ${gateway.operatorToken}` },
      });
      request.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (text: string) => (body += text));
        response.on('end', () => resolve({ status: response.statusCode, body }));
      });
      request.on('error', reject);
      request.end();
    });
    assert.equal(answer.status, 403);
    assert.match(answer.body, /host \\"rebound\.example\\" is not allowed; add it to allowedHosts/);
  });

  test('unknown sessions, bad roles and a missing subprotocol are refused', async () => {
    const session = await createSession(gateway, 'cat');
    const missing = await connectRefused(gateway.url, 'AAAAAAAAAAAAAAAAAAAAAAAA', {
      token: gateway.operatorToken,
    });
    assert.equal(missing.status, 404);
    assert.match(missing.body, /SESSION_NOT_FOUND/);
    const badRole = await connectRefused(gateway.url, session.id, {
      token: gateway.operatorToken,
      query: 'role=admin',
    });
    assert.equal(badRole.status, 400);
    const noProtocol = await connectRefused(gateway.url, session.id, {
      token: gateway.operatorToken,
      protocols: [],
    });
    assert.equal(noProtocol.status, 400);
    assert.match(noProtocol.body, /shellgate\.v1/);
  });

  test('a viewer asking for control gets 403 FORBIDDEN', async () => {
    const session = await createSession(gateway, 'cat');
    const refusal = await connectRefused(gateway.url, session.id, {
      token: gateway.viewerToken,
      role: 'control',
    });
    assert.equal(refusal.status, 403);
    assert.match(refusal.body, /FORBIDDEN/);
  });

  test('attached clients per session are limited (429 CLIENT_LIMIT)', async () => {
    const session = await createSession(gateway, 'cat');
    const clients = await Promise.all(
      [0, 1, 2].map(() => connect(gateway.url, session.id, { token: gateway.operatorToken })),
    );
    const refusal = await connectRefused(gateway.url, session.id, { token: gateway.operatorToken });
    assert.equal(refusal.status, 429);
    assert.match(refusal.body, /CLIENT_LIMIT/);
    assert.ok(Number(refusal.headers['retry-after']) > 0, 'a 429 says when to try again');
    await Promise.all(clients.map((client) => client.close()));
  });
});

describe('cookie logins', () => {
  test('login sets an HttpOnly SameSite=Strict cookie holding a login id; whoami and logout work', async () => {
    const cookie = await login(gateway, gateway.operatorToken);
    const whoami = await api(gateway.url, 'GET', '/api/whoami', { cookie });
    assert.deepEqual(whoami.body, { name: 'operator', role: 'operator' });
    const session = await createSession(gateway, 'cat');
    const client = await connect(gateway.url, session.id, { cookie, origin: gateway.origin });
    const logout = await api(gateway.url, 'POST', '/api/logout', { cookie, origin: gateway.origin });
    assert.equal(logout.status, 204);
    assert.match(logout.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await client.waitForClose()).code, 4001, 'logout closes its connections');
    assert.equal((await api(gateway.url, 'GET', '/api/whoami', { cookie })).status, 401);
  });

  test('state changes by cookie need an allowed Origin (CSRF)', async () => {
    const cookie = await login(gateway, gateway.operatorToken);
    const noOrigin = await api(gateway.url, 'POST', '/api/sessions', { cookie, body: { profile: 'cat' } });
    assert.equal(noOrigin.status, 403);
    assert.equal(errorCode(noOrigin), 'ORIGIN_REJECTED');
    const foreign = await api(gateway.url, 'POST', '/api/sessions', {
      cookie,
      origin: 'http://evil.example',
      body: { profile: 'cat' },
    });
    assert.equal(foreign.status, 403);
    const list = await api(gateway.url, 'GET', '/api/sessions', { cookie });
    assert.equal(list.status, 200, 'reads need no Origin');
    const own = await api(gateway.url, 'POST', '/api/sessions', {
      cookie,
      origin: gateway.origin,
      body: { profile: 'cat' },
    });
    assert.equal(own.status, 201);
  });

  test('a state change refused for its Origin is in the audit trail, before and after authentication', async () => {
    // A gateway of its own: refusal records are throttled per address, and this file makes many.
    const fresh = await startGateway();
    try {
      const cookie = await login(fresh, fresh.operatorToken);
      await api(fresh.url, 'POST', '/api/sessions', { cookie, body: { profile: 'cat' } });
      await api(fresh.url, 'POST', '/api/sessions', {
        cookie,
        origin: 'http://evil.example',
        body: { profile: 'cat' },
      });
      const refusals = await waitForAuditRecords(
        fresh,
        'auth-refused',
        (record) => record.path === '/api/sessions',
        { count: 2 },
      );
      assert.deepEqual(
        refusals.map((record) => [record.who, record.method, record.code, record.origin, record.from]),
        [
          ['operator', 'POST', 'ORIGIN_REJECTED', null, '127.0.0.1'],
          [null, 'POST', 'ORIGIN_REJECTED', 'http://evil.example', '127.0.0.1'],
        ],
        'no Origin on a cookie request (refused once authenticated), then a foreign one (before)',
      );
      assert.match(String(refusals[0]?.reason), /must carry an Origin header/);
      assert.equal(refusals[1]?.reason, 'origin "http://evil.example" is not allowed');
    } finally {
      await fresh.stop();
    }
  });

  test('an HTTP request refused for its Host is in the audit trail, with the reason and the Origin', async () => {
    const fresh = await startGateway();
    try {
      const cookie = await login(fresh, fresh.operatorToken);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        // fetch() will not send a foreign Host header; node:http will.
        const request = httpRequest(`${fresh.url}/api/sessions`, {
          method: 'POST',
          headers: {
            host: 'rebound.example',
            origin: 'http://rebound.example',
            cookie,
            'content-type': 'application/json',
          },
        });
        request.on('response', (response) => {
          response.resume().on('end', () => resolve(response.statusCode));
        });
        request.on('error', reject);
        request.end(JSON.stringify({ profile: 'cat' }));
      });
      assert.equal(status, 403);
      const [record] = await waitForAuditRecords(fresh, 'auth-refused', (r) => r.path === '/api/sessions');
      assert.deepEqual(
        {
          who: record?.who,
          from: record?.from,
          method: record?.method,
          origin: record?.origin,
          code: record?.code,
        },
        {
          who: null,
          from: '127.0.0.1',
          method: 'POST',
          origin: 'http://rebound.example',
          code: 'ORIGIN_REJECTED',
        },
      );
      assert.equal(record?.reason, 'host "rebound.example" is not allowed; add it to allowedHosts');

      const session = await createSession(fresh, 'cat');
      const upgrade = await connectRefused(fresh.url, session.id, { cookie, origin: 'http://evil.example' });
      assert.equal(upgrade.status, 403);
      const [refusedUpgrade] = await waitForAuditRecords(fresh, 'auth-refused', (r) => r.path === 'stream');
      assert.equal(refusedUpgrade?.origin, 'http://evil.example');
      assert.equal(refusedUpgrade?.reason, 'origin "http://evil.example" is not allowed');
    } finally {
      await fresh.stop();
    }
  });

  test('the attach record carries the Origin, the spawn record the working directory', async () => {
    const fresh = await startGateway({
      config: { profiles: { here: { argv: ['pwd'], mode: 'pipe', cwd: tmpdir() } } },
    });
    try {
      const cookie = await login(fresh, fresh.operatorToken);
      const created = await api(fresh.url, 'POST', '/api/sessions', {
        cookie,
        origin: fresh.origin,
        body: { profile: 'here' },
      });
      assert.equal(created.status, 201, created.text);
      const id = getString(created.body, 'session', 'id');
      const client = await connect(fresh.url, id, { cookie, origin: fresh.origin });
      await client.nextMessage('exit');
      assert.equal(client.text(), `${tmpdir()}\n`);
      await client.close();
      const [spawned] = await waitForAuditRecords(fresh, 'spawn', (r) => r.session === id);
      assert.equal(spawned?.cwd, tmpdir());
      assert.deepEqual(spawned?.argv, ['pwd']);
      const [attached] = await waitForAuditRecords(fresh, 'attach', (r) => r.session === id);
      assert.equal(attached?.origin, fresh.origin);
      assert.equal(attached?.who, 'operator');
    } finally {
      await fresh.stop();
    }
  });

  test('failed logins are rate limited per address', async () => {
    const gw = await startGateway({ config: { limits: { loginFailuresPerMinute: 3 } } });
    try {
      for (let i = 0; i < 3; i += 1) {
        const response = await api(gw.url, 'POST', '/api/login', { body: { token: `wrong-${i}` } });
        assert.equal(response.status, 401);
      }
      const limited = await api(gw.url, 'POST', '/api/login', { body: { token: gw.operatorToken } });
      assert.equal(limited.status, 429);
      assert.equal(errorCode(limited), 'RATE_LIMITED');
    } finally {
      await gw.stop();
    }
  });
});

describe('roles and visibility', () => {
  test('several clients at once: control writes, viewers only watch and are refused', async () => {
    const session = await createSession(gateway, 'cat');
    const control = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const viewer = await connect(gateway.url, session.id, { token: gateway.viewerToken });
    assert.equal((await viewer.nextMessage('hello')).role, 'view');
    control.sendInput('from control\n');
    await viewer.waitForOutput((text) => text === 'from control\n');
    await control.waitForOutput((text) => text === 'from control\n');
    viewer.sendInput('from viewer\n');
    assert.equal((await viewer.nextMessage('error')).code, 'FORBIDDEN');
    for (const message of [
      { type: 'input', data: 'x' },
      { type: 'signal', signal: 'SIGINT' },
      { type: 'terminate' },
      { type: 'close-stdin' },
    ]) {
      viewer.send(message);
      assert.equal((await viewer.nextMessage('error')).code, 'FORBIDDEN', JSON.stringify(message));
    }
    const info = await getSession(gateway, session.id);
    assert.equal(info.state, 'running');
    assert.equal(info.stdinOpen, true);
    assert.equal(info.clients, 2);
    // Only the control client's bytes ever reached the process.
    control.sendInput('again\n');
    await control.waitForOutput((text) => text === 'from control\nagain\n');
    await Promise.all([control.close(), viewer.close()]);
  });

  test('a viewer sees every session read-only; another operator sees only its own', async () => {
    const gw = await startGateway({
      config: {
        tokens: [
          { name: 'alice', token: 'alice-token-0123456789abcdef', role: 'operator' },
          {
            name: 'bob',
            sha256: 'sha256:' + createHash('sha256').update(secondOperator).digest('hex'),
            role: 'operator',
          },
          { name: 'watcher', token: 'watcher-token-0123456789abcdef', role: 'viewer' },
        ],
      },
    });
    try {
      const mine = await api(gw.url, 'POST', '/api/sessions', {
        token: 'alice-token-0123456789abcdef',
        body: { profile: 'cat' },
      });
      assert.equal(mine.status, 201);
      const id = getString(mine.body, 'session', 'id');
      const bobList = await api(gw.url, 'GET', '/api/sessions', { token: secondOperator });
      assert.deepEqual(bobList.body, { sessions: [] }, 'a hashed token works and sees only its own');
      const bobGet = await api(gw.url, 'GET', `/api/sessions/${id}`, { token: secondOperator });
      assert.equal(bobGet.status, 404);
      const bobDelete = await api(gw.url, 'DELETE', `/api/sessions/${id}`, { token: secondOperator });
      assert.equal(bobDelete.status, 404);
      const bobAttach = await connectRefused(gw.url, id, { token: secondOperator });
      assert.equal(bobAttach.status, 404);
      const watcherList = await api(gw.url, 'GET', '/api/sessions', {
        token: 'watcher-token-0123456789abcdef',
      });
      assert.deepEqual(getSessionIds(watcherList.body), [id]);
      const watcherDelete = await api(gw.url, 'DELETE', `/api/sessions/${id}`, {
        token: 'watcher-token-0123456789abcdef',
      });
      assert.equal(watcherDelete.status, 403);
      const watcherCreate = await api(gw.url, 'POST', '/api/sessions', {
        token: 'watcher-token-0123456789abcdef',
        body: { profile: 'cat' },
      });
      assert.equal(watcherCreate.status, 403);
    } finally {
      await gw.stop();
    }
  });
});

function getSessionIds(body: unknown): unknown[] {
  const sessions = get(body, 'sessions');
  assert.ok(Array.isArray(sessions));
  return sessions.map((session) => get(session, 'id'));
}
