// Single sign-on through an authenticating proxy: the user (and groups) header from the trusted
// proxy signs in with the mapped role and scope, for the API and streams alike; the same header
// from any other address is refused and audited; a user with no mapping is refused; tokens keep
// working beside it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveConfig } from '../../server/src/config/load.ts';
import { auditRecords } from '../helpers/audit.js';
import { eventually } from '../helpers/eventually.js';
import { startGateway } from '../helpers/gateway.js';
import type { Gateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/fixture.js';
import { api, errorCode, get, getString } from '../helpers/http.js';
import { startReverseProxy } from '../helpers/reverse-proxy.js';
import type { ReverseProxy } from '../helpers/reverse-proxy.js';
import { createSession } from '../helpers/sessions.js';
import { connect, connectRefused } from '../helpers/ws-client.js';

const PUBLIC_ORIGIN = 'https://ops.example';
const proxyAuth = {
  userHeader: 'X-Forwarded-User',
  groupsHeader: 'X-Forwarded-Groups',
  users: { alice: { role: 'operator' } },
  groups: [
    { group: 'sre', role: 'operator', scope: 'all' },
    { group: 'support', role: 'viewer' },
  ],
};

const gateway = useGateway({
  config: { trustedProxies: ['loopback'], allowedHosts: ['ops.example'], auth: { proxy: proxyAuth } },
});

describe('signed in by the authenticating proxy', () => {
  let proxy: ReverseProxy;
  before(async () => {
    proxy = await startReverseProxy({
      target: gateway.url,
      publicScheme: 'https',
      publicHost: 'ops.example',
      // As oauth2-proxy does: whatever the client sent is dropped, and the signed-in user (here
      // named by the test in x-test-user / x-test-groups) is passed on.
      rewrite: (headers) => {
        delete headers['x-forwarded-user'];
        delete headers['x-forwarded-groups'];
        if (headers['x-test-user'] !== undefined) headers['x-forwarded-user'] = headers['x-test-user'];
        if (headers['x-test-groups'] !== undefined) headers['x-forwarded-groups'] = headers['x-test-groups'];
      },
    });
  });
  after(() => proxy.close());

  const as = (user: string, groups?: string): Record<string, string> => ({
    'x-test-user': user,
    ...(groups === undefined ? {} : { 'x-test-groups': groups }),
  });

  test('a mapped user: whoami, a session of their own, its stream', async () => {
    const whoami = await api(proxy.url, 'GET', '/api/whoami', { headers: as('alice') });
    assert.equal(whoami.status, 200, whoami.text);
    assert.deepEqual(whoami.body, { name: 'alice', role: 'operator' });
    const created = await api(proxy.url, 'POST', '/api/sessions', {
      headers: as('alice'),
      origin: PUBLIC_ORIGIN,
      body: { profile: 'sh', args: ['read line; echo "got $line"'] },
    });
    assert.equal(created.status, 201, created.text);
    const id = getString(created.body, 'session', 'id');
    assert.equal(get(created.body, 'session', 'owner'), 'alice');
    const client = await connect(proxy.url, id, { headers: as('alice'), origin: PUBLIC_ORIGIN });
    client.sendInput('hello\n');
    await client.nextMessage('exit');
    assert.equal(client.text('stdout'), 'got hello\n');
    await client.close();
    const spawn = await eventually('the spawn record', () =>
      auditRecords(gateway, 'spawn').find((record) => record.session === id),
    );
    assert.equal(spawn.who, 'alice');
  });

  test('groups: the first configured group the user is in gives role and scope', async () => {
    const mine = await api(proxy.url, 'POST', '/api/sessions', {
      headers: as('alice'),
      origin: PUBLIC_ORIGIN,
      body: { profile: 'cat' },
    });
    assert.equal(mine.status, 201, mine.text);
    const id = getString(mine.body, 'session', 'id');
    // bob is in sre (operator, all) and support: sre is listed first.
    const bob = await api(proxy.url, 'GET', '/api/whoami', { headers: as('bob', 'dev, sre,support') });
    assert.deepEqual(bob.body, { name: 'bob', role: 'operator' });
    const seen = await api(proxy.url, 'GET', `/api/sessions/${id}`, { headers: as('bob', 'sre') });
    assert.equal(seen.status, 200, seen.text);
    // carol is in support only: a viewer, who watches but cannot start anything.
    const carol = await api(proxy.url, 'POST', '/api/sessions', {
      headers: as('carol', 'support'),
      origin: PUBLIC_ORIGIN,
      body: { profile: 'cat' },
    });
    assert.equal(carol.status, 403, carol.text);
    const viewer = await connect(proxy.url, id, {
      headers: as('carol', 'support'),
      origin: PUBLIC_ORIGIN,
      role: 'view',
    });
    assert.equal(viewer.messages[0]?.type, 'hello');
    await viewer.close();
    const terminated = await api(proxy.url, 'DELETE', `/api/sessions/${id}`, {
      headers: as('alice'),
      origin: PUBLIC_ORIGIN,
    });
    assert.equal(terminated.status, 200, terminated.text);
  });

  test('a user with no mapping is refused, with the reason audited', async () => {
    const response = await api(proxy.url, 'GET', '/api/sessions', { headers: as('mallory', 'dev') });
    assert.equal(response.status, 401);
    assert.match(getString(response.body, 'error', 'message'), /user "mallory" has no role/);
    const refusal = await eventually('the refusal record', () =>
      auditRecords(gateway, 'auth-refused').find((record) => String(record.reason).includes('"mallory"')),
    );
    assert.equal(refusal.who, null);
    const stream = await connectRefused(proxy.url, 'nosuchsession', { headers: as('mallory') });
    assert.equal(stream.status, 401);
  });

  test('a state change by a signed-on browser needs an Origin (CSRF), as a cookie login does', async () => {
    const response = await api(proxy.url, 'POST', '/api/sessions', {
      headers: as('alice'),
      body: { profile: 'cat' },
    });
    assert.equal(response.status, 403);
    assert.equal(errorCode(response), 'ORIGIN_REJECTED');
  });

  test('tokens keep working beside single sign-on', async () => {
    const session = await createSession({ ...gateway, url: proxy.url }, 'cat');
    assert.equal(session.owner, 'operator');
    const deleted = await api(proxy.url, 'DELETE', `/api/sessions/${session.id}`, {
      token: gateway.operatorToken,
    });
    assert.equal(deleted.status, 200, deleted.text);
  });
});

describe('the user header from anyone but a trusted proxy', () => {
  let direct: Gateway;
  before(async () => {
    direct = await startGateway({ config: { trustedProxies: ['192.0.2.10'], auth: { proxy: proxyAuth } } });
  });
  after(() => direct.stop());

  test('is refused and audited, for requests and upgrades', async () => {
    const response = await api(direct.url, 'GET', '/api/whoami', {
      headers: { 'x-forwarded-user': 'alice' },
    });
    assert.equal(response.status, 401);
    assert.match(getString(response.body, 'error', 'message'), /only from a trusted proxy/);
    const upgrade = await connectRefused(direct.url, 'anything', {
      headers: { 'x-forwarded-user': 'alice' },
    });
    assert.equal(upgrade.status, 401);
    const records = await eventually('two refusal records', () => {
      const found = auditRecords(direct, 'auth-refused').filter((record) =>
        String(record.reason).includes('only from a trusted proxy'),
      );
      return found.length >= 2 ? found : undefined;
    });
    for (const record of records) {
      assert.equal(record.who, null);
      assert.equal(record.from, '127.0.0.1');
    }
    // The token still works from there.
    const token = await api(direct.url, 'GET', '/api/whoami', { token: direct.operatorToken });
    assert.equal(token.status, 200);
  });

  test('auth.proxy without trustedProxies is a configuration error', async () => {
    await assert.rejects(
      resolveConfig({ auth: { proxy: proxyAuth } }),
      /auth\.proxy: expected trustedProxies too/,
    );
  });
});
