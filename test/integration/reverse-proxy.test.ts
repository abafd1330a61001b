// Behind a real reverse proxy (http-proxy-3), under a base path: the web app, the API, login and
// WebSocket streams all work at https://ops.example/shell/; what the trusted proxy forwards
// (client address, scheme, host) is believed — in audit records, per-address rate limits, the
// Host and Origin checks and the Secure cookie — and the same headers from anyone else are not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditRecords } from '../helpers/audit.js';
import { eventually } from '../helpers/eventually.js';
import { startGateway } from '../helpers/gateway.js';
import type { Gateway } from '../helpers/gateway.js';
import { runCli } from '../helpers/cli-client.js';
import { useGateway } from '../helpers/fixture.js';
import { api, errorCode, get } from '../helpers/http.js';
import { startReverseProxy } from '../helpers/reverse-proxy.js';
import type { ReverseProxy } from '../helpers/reverse-proxy.js';
import { createSession } from '../helpers/sessions.js';
import { connect, connectRefused } from '../helpers/ws-client.js';

const PUBLIC_ORIGIN = 'https://ops.example';

const gateway = useGateway({
  config: {
    basePath: '/shell',
    trustedProxies: ['loopback'],
    allowedHosts: ['ops.example'],
    limits: { loginFailuresPerMinute: 2 },
  },
});

let proxy: ReverseProxy;

/** The gateway as its users reach it: through the proxy, under the base path. */
const publicUrl = (): string => `${proxy.url}/shell`;
const throughProxy = (): Gateway => ({ ...gateway, url: publicUrl() });

describe('under a base path, through the proxy', () => {
  before(async () => {
    proxy = await startReverseProxy({
      target: gateway.url,
      publicScheme: 'https',
      publicHost: 'ops.example',
    });
  });
  after(() => proxy.close());

  test('the web app: /shell redirects to /shell/, which serves the page with relative assets', async () => {
    const bare = await fetch(publicUrl(), { redirect: 'manual' });
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/shell/');
    const withQuery = await fetch(`${publicUrl()}?a=1&b=c?d`, { redirect: 'manual' });
    assert.equal(withQuery.headers.get('location'), '/shell/?a=1&b=c?d');
    const page = await fetch(`${publicUrl()}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script !== undefined, 'the page loads its script by a relative URL');
    assert.equal((await fetch(`${publicUrl()}/${script}`)).status, 200);
    // Nothing is served outside the base path but the health check.
    assert.equal((await fetch(`${proxy.url}/api/whoami`)).status, 404);
    assert.equal((await fetch(`${proxy.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${publicUrl()}/healthz`)).status, 200);
  });

  test('login: the cookie is Secure (the proxy says https) and scoped to the base path', async () => {
    const response = await api(publicUrl(), 'POST', '/api/login', {
      body: { token: gateway.operatorToken },
      origin: PUBLIC_ORIGIN,
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    assert.equal(response.status, 200, response.text);
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; Path=\/shell;/);
    const whoami = await api(publicUrl(), 'GET', '/api/whoami', { cookie: cookie.split(';')[0] });
    assert.equal(whoami.status, 200, whoami.text);
    // The address the audit trail names is the client's, from X-Forwarded-For through the proxy.
    const login = await eventually('the login record', () =>
      auditRecords(gateway, 'login').find((record) => record.from === '203.0.113.7'),
    );
    assert.equal(login.who, 'operator');
  });

  test('a session and its WebSocket stream, Origin checked against the public origin', async () => {
    const session = await createSession(throughProxy(), 'sh', ['printf "through the proxy"']);
    const client = await connect(publicUrl(), session.id, {
      token: gateway.operatorToken,
      origin: PUBLIC_ORIGIN,
    });
    await client.nextMessage('exit');
    assert.equal(client.text('stdout'), 'through the proxy');
    await client.close();
    // The gateway's own address is not an origin the public ever uses.
    const refused = await connectRefused(publicUrl(), session.id, {
      token: gateway.operatorToken,
      origin: gateway.url,
    });
    assert.equal(refused.status, 403);
    const stream = await eventually('the attach record', () =>
      auditRecords(gateway, 'attach').find((record) => record.session === session.id),
    );
    assert.equal(stream.from, '127.0.0.1');
  });

  test('a share link: its URL is the public one, its cookie opens its one session under the base path', async () => {
    const session = await createSession(throughProxy(), 'sh', ['echo shared; sleep 30']);
    const created = await api(publicUrl(), 'POST', `/api/sessions/${session.id}/shares`, {
      token: gateway.operatorToken,
      body: {},
    });
    assert.equal(created.status, 201, created.text);
    const url = String(get(created.body, 'url'));
    assert.ok(url.startsWith('https://ops.example/shell/#share='), url);
    const opened = await api(publicUrl(), 'POST', '/api/share/open', {
      body: { link: url },
      origin: PUBLIC_ORIGIN,
    });
    assert.equal(opened.status, 200, opened.text);
    const setCookie = opened.headers.get('set-cookie') ?? '';
    assert.match(setCookie, new RegExp(`; Path=/shell/api/sessions/${session.id};`));
    assert.match(setCookie, /; Secure/);
    const cookie = setCookie.split(';')[0] ?? '';
    const own = await api(publicUrl(), 'GET', `/api/sessions/${session.id}`, { cookie });
    assert.equal(own.status, 200, own.text);
    const list = await api(publicUrl(), 'GET', '/api/sessions', { cookie });
    assert.equal(list.status, 403, list.text);
    const viewer = await connect(publicUrl(), session.id, { cookie, origin: PUBLIC_ORIGIN });
    await viewer.waitForOutput((text) => text.includes('shared'));
    await viewer.close();
    await api(publicUrl(), 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
  });

  test('the operator client, given the base path in its URL: exec and ls', async () => {
    const exec = await runCli(['exec', 'sh', 'echo via the client; exit 3'], {
      url: publicUrl(),
      token: gateway.operatorToken,
      input: '',
    });
    assert.equal(exec.status, 3, exec.stderr.toString());
    assert.equal(exec.stdout.toString(), 'via the client\n');
    const ls = await runCli(['ls'], { url: publicUrl(), token: gateway.operatorToken, input: '' });
    assert.equal(ls.status, 0, ls.stderr.toString());
    assert.match(ls.stdout.toString(), /\bsh\b/);
  });

  test('failed logins are limited per forwarded client address, not per proxy', async () => {
    const attempt = (address: string) =>
      api(publicUrl(), 'POST', '/api/login', {
        body: { token: 'not-the-token-not-the-token' },
        origin: PUBLIC_ORIGIN,
        headers: { 'x-forwarded-for': address },
      });
    assert.equal((await attempt('198.51.100.1')).status, 401);
    assert.equal((await attempt('198.51.100.1')).status, 401);
    assert.equal(errorCode(await attempt('198.51.100.1')), 'RATE_LIMITED');
    // Another client behind the same proxy still has its attempts.
    assert.equal(errorCode(await attempt('198.51.100.2')), 'UNAUTHORIZED');
  });
});

describe('forwarded headers from anyone but a trusted proxy are ignored', () => {
  let direct: Gateway;
  before(async () => {
    // Trusts a proxy at an address the test never connects from.
    direct = await startGateway({
      config: {
        trustedProxies: ['192.0.2.10'],
        allowedHosts: ['ops.example'],
        limits: { loginFailuresPerMinute: 2 },
      },
    });
  });
  after(() => direct.stop());

  const forged = {
    'x-forwarded-for': '203.0.113.99',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'ops.example',
  };

  test('a forged X-Forwarded-Host on an upgrade does not pass the Host check', async () => {
    const session = await createSession(direct, 'cat');
    const refused = await connectRefused(direct.url, session.id, {
      token: direct.operatorToken,
      headers: { ...forged, host: 'evil.example' },
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /evil\.example/);
  });
  test('X-Forwarded-Proto does not make the cookie Secure; X-Forwarded-Host does not pass the Origin check', async () => {
    const login = await api(direct.url, 'POST', '/api/login', {
      body: { token: direct.operatorToken },
      origin: direct.origin,
      headers: forged,
    });
    assert.equal(login.status, 200, login.text);
    assert.doesNotMatch(login.headers.get('set-cookie') ?? '', /Secure/i);
    const foreign = await api(direct.url, 'GET', '/api/whoami', {
      token: direct.operatorToken,
      origin: PUBLIC_ORIGIN,
      headers: forged,
    });
    assert.equal(foreign.status, 403);
    assert.equal(errorCode(foreign), 'ORIGIN_REJECTED');
  });

  test('X-Forwarded-For changes neither the audited address nor the rate limit (last: it uses the limit up)', async () => {
    const attempt = (address: string) =>
      api(direct.url, 'POST', '/api/login', {
        body: { token: 'not-the-token-not-the-token' },
        origin: direct.origin,
        headers: { ...forged, 'x-forwarded-for': address },
      });
    assert.equal((await attempt('198.51.100.1')).status, 401);
    assert.equal((await attempt('198.51.100.2')).status, 401);
    assert.equal(errorCode(await attempt('198.51.100.3')), 'RATE_LIMITED');
    const failures = await eventually('two login-failed records', () => {
      const records = auditRecords(direct, 'login-failed');
      return records.length >= 2 ? records : undefined;
    });
    for (const record of failures) assert.equal(record.from, '127.0.0.1');
  });
});
