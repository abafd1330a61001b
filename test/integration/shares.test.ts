// Share links (docs/sharing.md) against a real gateway: a link opens exactly one session in its
// role and nothing else; a view link never writes, signals, resizes or terminates; revocation and
// expiry close the streams opened with it (4003); forged, revoked and expired links are refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloseCode, createShareResponseSchema, openShareResponseSchema } from '@shellgate/shared';
import type { CreateShareResponse } from '@shellgate/shared';
import { waitForAuditRecords } from '../helpers/audit.js';
import { useGateway } from '../helpers/fixture.js';
import { api, errorCode, get } from '../helpers/http.js';
import { connect, connectRefused } from '../helpers/ws-client.js';

const gateway = useGateway({
  config: { shares: { maxTtlSeconds: 7200, maxPerSession: 3 }, limits: { loginFailuresPerMinute: 50 } },
});

async function share(sessionId: string, body: unknown = {}): Promise<CreateShareResponse> {
  const response = await gateway.api('POST', `/api/sessions/${sessionId}/shares`, { body });
  assert.equal(response.status, 201, response.text);
  return createShareResponseSchema.parse(response.body);
}

/** Opens a link as a browser would (its own origin) and returns the share cookie. */
async function open(link: string): Promise<string> {
  const response = await api(gateway.url, 'POST', '/api/share/open', {
    body: { link },
    origin: gateway.origin,
  });
  assert.equal(response.status, 200, response.text);
  const cookie = response.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0] ?? '';
}

describe('share links', () => {
  test('a view link opens exactly its one session, as a viewer, and nothing else', async () => {
    const shared = await gateway.createSession({ profile: 'cat' });
    const other = await gateway.createSession({ profile: 'cat' });
    const created = await share(shared.id);
    assert.equal(created.share.mode, 'view');
    assert.equal(created.share.session, shared.id);
    assert.equal(created.url, `${gateway.url}/#share=${created.link}`);
    assert.match(created.link, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const expires = Date.parse(created.share.expiresAt) - Date.parse(created.share.createdAt);
    assert.equal(expires, 3600 * 1000, 'one hour by default');

    const response = await api(gateway.url, 'POST', '/api/share/open', {
      body: { link: created.url },
      origin: gateway.origin,
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(openShareResponseSchema.parse(response.body), {
      session: shared.id,
      mode: 'view',
      expiresAt: created.share.expiresAt,
    });
    const setCookie = response.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^shellgate_share=[A-Za-z0-9_-]{43}; /);
    assert.match(setCookie, new RegExp(`Path=/api/sessions/${shared.id}(;|$)`));
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.ok(!setCookie.includes(created.link.split('.')[1] ?? '-'), 'the cookie never carries the secret');
    const cookie = setCookie.split(';')[0] ?? '';

    // The one session is there; nothing else is, whatever the path.
    const own = await api(gateway.url, 'GET', `/api/sessions/${shared.id}`, { cookie });
    assert.equal(own.status, 200, own.text);
    for (const [method, path] of [
      ['GET', '/api/sessions'],
      ['GET', '/api/profiles'],
      ['GET', `/api/sessions/${other.id}`],
      ['GET', '/api/recordings'],
      ['GET', '/api/shares'],
      ['GET', '/api/whoami'],
      ['POST', '/api/sessions'],
      ['POST', `/api/sessions/${shared.id}/shares`],
    ] as const) {
      const refused = await api(gateway.url, method, path, {
        cookie,
        origin: gateway.origin,
        ...(method === 'POST' ? { body: {} } : {}),
      });
      assert.equal(refused.status, 403, `${method} ${path}: ${refused.text}`);
      assert.equal(errorCode(refused), 'FORBIDDEN');
    }
    // A view link may not act over HTTP either.
    const signal = await api(gateway.url, 'POST', `/api/sessions/${shared.id}/signal`, {
      cookie,
      origin: gateway.origin,
      body: { signal: 'SIGTERM' },
    });
    assert.equal(signal.status, 403, signal.text);
    const terminate = await api(gateway.url, 'DELETE', `/api/sessions/${shared.id}`, {
      cookie,
      origin: gateway.origin,
    });
    assert.equal(terminate.status, 403, terminate.text);

    // Its stream: as a viewer only; another session's stream or a new one: no.
    assert.equal((await connectRefused(gateway.url, other.id, { cookie })).status, 404);
    assert.equal((await connectRefused(gateway.url, shared.id, { cookie, role: 'control' })).status, 403);
    const owner = await connect(gateway.url, shared.id, { token: gateway.operatorToken });
    const viewer = await connect(gateway.url, shared.id, { cookie });
    const hello = await viewer.nextMessage('hello');
    assert.equal(hello.role, 'view');

    // Nothing a viewer sends reaches the process or changes the session.
    viewer.sendInput('from the viewer\n');
    viewer.send({ type: 'input', data: 'typed by the viewer\n' });
    viewer.send({ type: 'signal', signal: 'SIGKILL' });
    viewer.send({ type: 'resize', cols: 100, rows: 30 });
    viewer.send({ type: 'close-stdin' });
    viewer.send({ type: 'terminate' });
    await viewer.waitFor('six refusals', () => {
      const refusals = viewer.messages.filter((message) => message.type === 'error');
      return refusals.length >= 6 ? refusals : undefined;
    });
    for (const message of viewer.messages.filter((m) => m.type === 'error'))
      assert.equal(message.type === 'error' ? message.code : '', 'FORBIDDEN');
    owner.sendInput('from the owner\n');
    await viewer.waitForOutput((text) => text.includes('from the owner\n'));
    assert.equal(viewer.text(), 'from the owner\n', 'only what the owner typed was echoed');
    const info = await gateway.api('GET', `/api/sessions/${shared.id}`);
    assert.equal(get(info.body, 'session', 'state'), 'running');

    const opened = await waitForAuditRecords(
      gateway,
      'share-open',
      (record) => record.share === created.share.id,
    );
    assert.equal(opened[0]?.session, shared.id);
    assert.equal(opened[0]?.createdBy, 'operator');
    assert.equal(opened[0]?.from, '127.0.0.1');
    const made = await waitForAuditRecords(
      gateway,
      'share-create',
      (record) => record.share === created.share.id,
    );
    assert.equal(made[0]?.who, 'operator');
    await viewer.close();
    await owner.close();
  });

  test('a share link never starts a session through the exec upgrade', async () => {
    const shared = await gateway.createSession({ profile: 'cat' });
    const cookie = await open((await share(shared.id, { mode: 'control' })).link);
    const { default: WebSocket } = await import('ws');
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(
        `${gateway.url.replace(/^http/, 'ws')}/api/exec?profile=cat`,
        ['shellgate.v1'],
        {
          headers: { cookie },
        },
      );
      ws.once('open', () => {
        ws.terminate();
        reject(new Error('exec was accepted'));
      });
      ws.once('error', () => undefined);
      ws.once('unexpected-response', (_request, response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
    });
    assert.equal(status, 403);
  });

  test('a control link types, signals and terminates its session, still nothing else', async () => {
    const shared = await gateway.createSession({ profile: 'cat' });
    const created = await share(shared.id, { mode: 'control', ttlSeconds: 600 });
    assert.equal(created.share.mode, 'control');
    const cookie = await open(created.link);
    const client = await connect(gateway.url, shared.id, { cookie, role: 'control' });
    assert.equal((await client.nextMessage('hello')).role, 'control');
    client.sendInput('typed through the link\n');
    await client.waitForOutput((text) => text.includes('typed through the link\n'));
    assert.equal((await api(gateway.url, 'GET', '/api/sessions', { cookie })).status, 403);
    const terminate = await api(gateway.url, 'DELETE', `/api/sessions/${shared.id}`, {
      cookie,
      origin: gateway.origin,
    });
    assert.equal(terminate.status, 200, terminate.text);
    await client.nextMessage('exit');
    await client.close();
  });

  test('revoking a link closes its streams with 4003 and refuses it and its cookie from then on', async () => {
    const shared = await gateway.createSession({ profile: 'cat' });
    const created = await share(shared.id);
    const cookie = await open(created.link);
    const viewer = await connect(gateway.url, shared.id, { cookie });
    const listed = await gateway.api('GET', `/api/shares?session=${shared.id}`);
    assert.deepEqual(
      (get(listed.body, 'shares') as Array<{ id: string; opens: number }>).map(({ id, opens }) => ({
        id,
        opens,
      })),
      [{ id: created.share.id, opens: 1 }],
    );
    // Only who may control the session sees its links.
    const asViewer = await gateway.api('GET', '/api/shares', { token: gateway.viewerToken });
    assert.deepEqual(get(asViewer.body, 'shares'), []);
    const revoked = await gateway.api('DELETE', `/api/shares/${created.share.id}`);
    assert.equal(revoked.status, 204, revoked.text);
    assert.deepEqual(await viewer.waitForClose(), {
      code: CloseCode.ShareEnded,
      reason: 'share link revoked',
    });

    const again = await api(gateway.url, 'POST', '/api/share/open', {
      body: { link: created.link },
      origin: gateway.origin,
    });
    assert.equal(again.status, 410, again.text);
    assert.equal(errorCode(again), 'SHARE_LINK_REVOKED');
    const byCookie = await api(gateway.url, 'GET', `/api/sessions/${shared.id}`, { cookie });
    assert.equal(byCookie.status, 410);
    assert.equal(errorCode(byCookie), 'SHARE_LINK_REVOKED');
    const upgrade = await connectRefused(gateway.url, shared.id, { cookie });
    assert.equal(upgrade.status, 410);
    assert.match(upgrade.body, /SHARE_LINK_REVOKED/);
    assert.equal((await gateway.api('DELETE', `/api/shares/${created.share.id}`)).status, 404);
    const after = await gateway.api('GET', `/api/shares?session=${shared.id}`);
    assert.deepEqual(get(after.body, 'shares'), []);

    await waitForAuditRecords(gateway, 'share-revoke', (record) => record.share === created.share.id);
    const ended = await waitForAuditRecords(
      gateway,
      'share-ended',
      (record) => record.share === created.share.id,
    );
    assert.equal(ended[0]?.end, 'revoked');
    await waitForAuditRecords(
      gateway,
      'share-open-refused',
      (record) => record.share === created.share.id && record.code === 'SHARE_LINK_REVOKED',
    );
  });

  test('an expired link closes its streams with 4003 and is refused as expired', async () => {
    const shared = await gateway.createSession({ profile: 'cat' });
    const created = await share(shared.id, { ttlSeconds: 2 });
    const cookie = await open(created.link);
    const viewer = await connect(gateway.url, shared.id, { cookie });
    assert.deepEqual(await viewer.waitForClose(15_000), {
      code: CloseCode.ShareEnded,
      reason: 'share link expired',
    });
    const again = await api(gateway.url, 'POST', '/api/share/open', {
      body: { link: created.link },
      origin: gateway.origin,
    });
    assert.equal(again.status, 410, again.text);
    assert.equal(errorCode(again), 'SHARE_LINK_EXPIRED');
    const ended = await waitForAuditRecords(
      gateway,
      'share-ended',
      (record) => record.share === created.share.id,
    );
    assert.equal(ended[0]?.end, 'expired');
  });

  test('a forged link, a wrong secret or a made-up cookie is refused with 401', async () => {
    const shared = await gateway.createSession({ profile: 'cat' });
    const created = await share(shared.id);
    const [id] = created.link.split('.');
    const forged = `${id ?? ''}.${'A'.repeat(43)}`;
    for (const link of [forged, 'not-a-link', `${gateway.url}/#share=${'B'.repeat(22)}.${'C'.repeat(43)}`]) {
      const refused = await api(gateway.url, 'POST', '/api/share/open', {
        body: { link },
        origin: gateway.origin,
      });
      assert.equal(refused.status, 401, `${link}: ${refused.text}`);
      assert.equal(errorCode(refused), 'SHARE_LINK_INVALID');
      assert.equal(refused.headers.get('set-cookie'), null);
    }
    const madeUp = await api(gateway.url, 'GET', `/api/sessions/${shared.id}`, {
      cookie: `shellgate_share=${'D'.repeat(43)}`,
    });
    assert.equal(madeUp.status, 401);
    assert.equal(errorCode(madeUp), 'SHARE_LINK_INVALID');
    await waitForAuditRecords(
      gateway,
      'share-open-refused',
      (record) => record.share === id && record.code === 'SHARE_LINK_INVALID',
    );
  });

  test('who may share, for how long, how many', async () => {
    const shared = await gateway.createSession({ profile: 'cat' });
    const byViewer = await gateway.api('POST', `/api/sessions/${shared.id}/shares`, {
      token: gateway.viewerToken,
      body: {},
    });
    assert.equal(byViewer.status, 403, byViewer.text);
    const tooLong = await gateway.api('POST', `/api/sessions/${shared.id}/shares`, {
      body: { ttlSeconds: 7201 },
    });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.text, /shares\.maxTtlSeconds \(7200\)/);
    const badMode = await gateway.api('POST', `/api/sessions/${shared.id}/shares`, {
      body: { mode: 'admin' },
    });
    assert.equal(badMode.status, 400);
    assert.equal(errorCode(badMode), 'INVALID_REQUEST');
    const missing = await gateway.api('POST', `/api/sessions/${'x'.repeat(22)}/shares`, { body: {} });
    assert.equal(missing.status, 404);
    for (let count = 0; count < 3; count += 1) await share(shared.id);
    const fourth = await gateway.api('POST', `/api/sessions/${shared.id}/shares`, { body: {} });
    assert.equal(fourth.status, 403);
    assert.match(fourth.text, /shares\.maxPerSession/);
  });
});
