// The HTTP API: every endpoint, its errors as `{"error":{code,message}}` with the right status,
// security headers, the static web app, limits, the child's environment and arguments.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startGateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/fixture.js';
import { api, errorCode, get, getString } from '../helpers/http.js';
import type { ApiResponse } from '../helpers/http.js';
import { createSession } from '../helpers/sessions.js';
import { connect } from '../helpers/ws-client.js';

const SECRET = 'gateway-secret-value-never-in-children';

const gateway = useGateway({
  env: { SHELLGATE_TEST_SECRET: SECRET },
  config: {
    profiles: {
      cat: { argv: ['cat'], mode: 'pipe' },
      echo: { argv: ['echo'], mode: 'pipe', allowArgs: true, description: 'echo its arguments' },
      env: { argv: ['env'], mode: 'pipe', env: { PROFILE_VAR: 'from-profile' } },
    },
    env: { set: { SET_VAR: 'from-config' } },
    limits: { maxSessions: 4, maxSessionsPerToken: 3, maxBodyBytes: 2048 },
  },
});

function assertSecurityHeaders(response: ApiResponse): void {
  assert.match(
    response.headers.get('content-security-policy') ?? '',
    /default-src 'self'.*frame-ancestors 'none'/,
  );
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(response.headers.get('x-powered-by'), null);
}

async function sessionCount(): Promise<number> {
  const list = await gateway.api('GET', '/api/sessions');
  const sessions = get(list.body, 'sessions');
  assert.ok(Array.isArray(sessions));
  return sessions.length;
}

describe('HTTP API', () => {
  test('healthz needs no auth; everything under /api does', async () => {
    const health = await api(gateway.url, 'GET', '/healthz');
    assert.equal(health.status, 200);
    // What containment is in force depends on the host (docs/security.md): the keeper is the default.
    assert.deepEqual(health.body, {
      status: 'ok',
      containment: {
        keeper: true,
        cgroup: (health.body as { containment: { cgroup: unknown } }).containment.cgroup,
        pidsMax: null,
        memoryMaxBytes: null,
      },
    });
    assert.ok(
      ['v2', 'off'].includes((health.body as { containment: { cgroup: string } }).containment.cgroup),
    );
    assertSecurityHeaders(health);
    for (const [method, path] of [
      ['GET', '/api/whoami'],
      ['GET', '/api/profiles'],
      ['GET', '/api/sessions'],
      ['POST', '/api/sessions'],
      ['GET', '/api/sessions/x'],
      ['DELETE', '/api/sessions/x'],
      ['POST', '/api/sessions/x/signal'],
    ] as const) {
      const response = await api(gateway.url, method, path);
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(errorCode(response), 'UNAUTHORIZED');
      assertSecurityHeaders(response);
    }
    const badScheme = await api(gateway.url, 'GET', '/api/whoami', {
      headers: { authorization: 'Basic abc' },
    });
    assert.equal(badScheme.status, 401);
  });

  test('outside fleet mode: no nodes, no `node` in session info, and asking for a node is NODE_NOT_FOUND', async () => {
    const nodes = await api(gateway.url, 'GET', '/api/nodes', { token: gateway.viewerToken });
    assert.equal(nodes.status, 200, nodes.text);
    assert.deepEqual(nodes.body, { nodes: [] });
    const session = await createSession(gateway, 'cat');
    assert.equal('node' in session, false);
    const elsewhere = await api(gateway.url, 'POST', '/api/sessions', {
      token: gateway.operatorToken,
      body: { profile: 'cat', node: 'b' },
    });
    assert.equal(elsewhere.status, 404, elsewhere.text);
    assert.equal(errorCode(elsewhere), 'NODE_NOT_FOUND');
    const internal = await api(gateway.url, 'GET', `/fleet/v1/api/sessions/${session.id}`);
    assert.equal(internal.status, 404, 'no internal path without a fleet');
    await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
  });

  test('whoami and profiles', async () => {
    const whoami = await api(gateway.url, 'GET', '/api/whoami', { token: gateway.viewerToken });
    assert.deepEqual(whoami.body, { name: 'viewer', role: 'viewer' });
    const profiles = await api(gateway.url, 'GET', '/api/profiles', { token: gateway.operatorToken });
    const list = get(profiles.body, 'profiles');
    assert.ok(Array.isArray(list));
    assert.deepEqual(
      list.find((profile) => get(profile, 'name') === 'echo'),
      { name: 'echo', description: 'echo its arguments', argv: ['echo'], mode: 'pipe', allowArgs: true },
    );
    assert.deepEqual(
      list.find((profile) => get(profile, 'name') === 'cat'),
      { name: 'cat', description: '', argv: ['cat'], mode: 'pipe', allowArgs: false },
    );
  });

  test('sessions: create (201), list, get; ids are long and random', async () => {
    const created = await createSession(gateway, 'cat');
    assert.match(created.id, /^[A-Za-z0-9_-]{24}$/);
    assert.ok(created.pid !== null && created.pid > 0);
    assert.equal(created.owner, 'operator');
    const got = await api(gateway.url, 'GET', `/api/sessions/${created.id}`, {
      token: gateway.operatorToken,
    });
    assert.equal(getString(got.body, 'session', 'id'), created.id);
    assert.ok((await sessionCount()) >= 1);
    await api(gateway.url, 'DELETE', `/api/sessions/${created.id}`, { token: gateway.operatorToken });
    await api(gateway.url, 'DELETE', `/api/sessions/${created.id}`, { token: gateway.operatorToken });
  });

  test('client arguments are appended to argv and never pass through a shell', async () => {
    const session = await createSession(gateway, 'echo', ['$(id)', ';', 'rm -rf /', '`whoami`', '*']);
    assert.deepEqual(session.argv, ['echo', '$(id)', ';', 'rm -rf /', '`whoami`', '*']);
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await client.nextMessage('exit');
    assert.equal(client.text(), '$(id) ; rm -rf / `whoami` *\n');
    await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
  });

  test('children get a clean environment: allow-list, config and profile variables, no secrets', async () => {
    const session = await createSession(gateway, 'env');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await client.nextMessage('exit');
    const env = client.text();
    assert.match(env, /^PATH=/m);
    assert.match(env, /^SET_VAR=from-config$/m);
    assert.match(env, /^PROFILE_VAR=from-profile$/m);
    assert.ok(!env.includes(SECRET), 'the gateway environment does not leak');
    assert.ok(!env.includes(gateway.operatorToken));
    await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
  });

  test('bad requests get their code and start nothing', async () => {
    const before = await sessionCount();
    const post = (body: unknown): Promise<ApiResponse> =>
      api(gateway.url, 'POST', '/api/sessions', { token: gateway.operatorToken, body });
    const cases: Array<[Promise<ApiResponse>, number, string]> = [
      [post({ profile: 'nope' }), 404, 'PROFILE_NOT_FOUND'],
      [post({ profile: 'cat', args: ['x'] }), 400, 'ARGS_NOT_ALLOWED'],
      [post({ profile: 'cat', env: { A: 'b' } }), 400, 'INVALID_REQUEST'],
      [post({ profile: 42 }), 400, 'INVALID_REQUEST'],
      [post({}), 400, 'INVALID_REQUEST'],
      [post({ profile: 'echo', args: 'not-an-array' }), 400, 'INVALID_REQUEST'],
      [post({ profile: 'constructor' }), 404, 'PROFILE_NOT_FOUND'],
      [
        api(gateway.url, 'POST', '/api/sessions', { token: gateway.operatorToken, rawBody: '{"profile":' }),
        400,
        'INVALID_REQUEST',
      ],
      [post({ profile: 'echo', args: ['x'.repeat(3000)] }), 413, 'MESSAGE_TOO_LARGE'],
      [post({ profile: 'cat' }).then(() => post({ profile: 'cat' })), 201, ''],
      [api(gateway.url, 'GET', '/api/nothing-here', { token: gateway.operatorToken }), 404, 'NOT_FOUND'],
      [
        api(gateway.url, 'GET', '/api/sessions/AAAAAAAAAAAAAAAAAAAAAAAA', { token: gateway.operatorToken }),
        404,
        'SESSION_NOT_FOUND',
      ],
      [
        api(gateway.url, 'POST', '/api/sessions', { token: gateway.viewerToken, body: { profile: 'cat' } }),
        403,
        'FORBIDDEN',
      ],
    ];
    for (const [index, [pending, status, code]] of cases.entries()) {
      const response = await pending;
      assert.equal(response.status, status, `case ${index}: ${response.text}`);
      if (code !== '') {
        assert.equal(errorCode(response), code, `case ${index}`);
        assert.ok(getString(response.body, 'error', 'message').length > 0);
      }
    }
    assert.equal(await sessionCount(), before + 2, 'only the two good requests started anything');
  });

  test('session limits: per token (429 SESSION_LIMIT); exited sessions make room', async () => {
    const list = await gateway.api('GET', '/api/sessions');
    const sessions = get(list.body, 'sessions');
    assert.ok(Array.isArray(sessions));
    for (const session of sessions) {
      const id = getString(session, 'id');
      await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: gateway.operatorToken });
    }
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await createSession(gateway, 'cat')).id);
    const refused = await api(gateway.url, 'POST', '/api/sessions', {
      token: gateway.operatorToken,
      body: { profile: 'cat' },
    });
    assert.equal(refused.status, 429);
    assert.equal(errorCode(refused), 'SESSION_LIMIT');
    // Terminate one (it stays, exited): a new session evicts it instead of being refused.
    await api(gateway.url, 'DELETE', `/api/sessions/${ids[0] ?? ''}`, { token: gateway.operatorToken });
    const admitted = await createSession(gateway, 'cat');
    ids.push(admitted.id);
    const old = await api(gateway.url, 'GET', `/api/sessions/${ids[0] ?? ''}`, {
      token: gateway.operatorToken,
    });
    assert.equal(old.status, 404);
    for (const id of ids) {
      await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: gateway.operatorToken });
      await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: gateway.operatorToken });
    }
  });
});

describe('static web app', () => {
  test('index.html is revalidated, hashed assets are immutable, both with security headers', async () => {
    const index = await api(gateway.url, 'GET', '/');
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assertSecurityHeaders(index);
    const asset = /\/assets\/[^"']+\.js/.exec(index.text)?.[0];
    assert.ok(asset !== undefined, 'index.html references a hashed script');
    const script = await api(gateway.url, 'GET', asset);
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assertSecurityHeaders(script);
    const missing = await api(gateway.url, 'GET', '/assets/nope.js');
    assert.equal(missing.status, 404);
  });

  test('without a build, / is a 503 page saying to build it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'shellgate-noweb-'));
    const gw = await startGateway({ config: { webRoot: empty } });
    try {
      const page = await api(gw.url, 'GET', '/');
      assert.equal(page.status, 503);
      assert.match(page.text, /npm run build/);
      assertSecurityHeaders(page);
    } finally {
      await gw.stop();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
