// The web app served under a base path behind a real reverse proxy (http-proxy-3): signing in from
// the start-up URL, the session list, and a session's terminal over a WebSocket — every URL the
// page uses resolved under /shell/, none at the host's root.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startReverseProxy } from '../helpers/reverse-proxy.ts';
import type { ReverseProxy } from '../helpers/reverse-proxy.ts';
import { signIn, startFromForm, useWebFixture, waitForText } from '../helpers/web.ts';

describe('the web app under /shell/ behind a reverse proxy', () => {
  const web = useWebFixture({ config: { basePath: '/shell', trustedProxies: ['loopback'] } });
  let proxy: ReverseProxy;
  before(async () => {
    proxy = await startReverseProxy({ target: web.gateway.url, publicScheme: 'http' });
  });
  after(() => proxy.close());

  test('sign in, start a session, see its output: every request under the base path', async () => {
    const page = await web.newPage();
    const outside: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && !url.pathname.startsWith('/shell/')) outside.push(request.url());
    });
    await signIn(page, web.gateway, web.gateway.operatorToken, `${proxy.url}/shell`);
    await startFromForm(page, 'sh', `'echo under-the-base-path; sleep 30'`);
    await waitForText(page, /under-the-base-path/);
    assert.ok(page.url().startsWith(`${proxy.url}/shell/#/sessions/`), page.url());
    assert.deepEqual(outside, [], 'no request left the base path');
  });
});
