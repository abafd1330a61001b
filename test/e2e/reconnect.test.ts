// The network drops under a running session: the page reconnects by itself, resumes from its offset,
// and the terminal holds every line exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway } from '../helpers/gateway.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { connect } from '../helpers/ws-client.ts';
import type { TcpProxy } from '../helpers/tcp-proxy.ts';
import { signIn, startFromForm, useWebFixture, waitForText } from '../helpers/web.ts';

const LINES = 30;

describe('reconnecting after a dropped connection', () => {
  const web = useWebFixture();
  const viewport = { width: 1000, height: 900 };
  let proxy: TcpProxy;

  before(async () => {
    proxy = await startTcpProxy(web.gateway.port);
  });
  after(async () => {
    await proxy.close();
  });

  test('a cut connection is resumed from the last offset and every line shows exactly once', async () => {
    const page = await web.newPage({ viewport });
    await signIn(page, web.gateway, web.gateway.operatorToken, proxy.url);
    await startFromForm(
      page,
      'sh',
      `'i=1; while [ $i -le ${LINES} ]; do echo line-$i; i=$((i+1)); sleep 0.1; done; sleep 30'`,
    );
    const state = page.getByTestId('connection-state');

    for (const seen of ['line-5', 'line-15']) {
      await waitForText(page, new RegExp(`^${seen}$`, 'm'));
      const reconnecting = page
        .locator('[data-testid="connection-state"][data-state="reconnecting"]')
        .waitFor();
      assert.ok(proxy.cut() > 0, 'there was a connection to cut');
      await reconnecting;
      await page
        .locator('[data-testid="connection-state"][data-state="connected"]')
        .waitFor({ timeout: 10_000 });
    }
    assert.equal(await state.getAttribute('data-state'), 'connected');

    const text = await waitForText(page, new RegExp(`^line-${LINES}$`, 'm'));
    const lines = text.split('\n').filter((line) => line.startsWith('line-'));
    assert.deepEqual(
      lines,
      Array.from({ length: LINES }, (_, i) => `line-${i + 1}`),
      'each line once, in order',
    );
    assert.doesNotMatch(text, /bytes of output were lost/, 'no gap: the replay buffer covered the drop');
  });

  test('output that left the replay buffer while offline shows as a visible gap marker', async () => {
    const small = await startGateway({
      config: { limits: { replayBufferBytes: 4096, flowControlWindowBytes: 4096 } },
    });
    const relay = await startTcpProxy(small.port);
    const page = await web.newPage({ viewport });
    try {
      await signIn(page, small, small.operatorToken, relay.url);
      await startFromForm(page, 'sh', `'echo before; read go; seq 1 5000; sleep 0.3; echo after; sleep 30'`);
      await waitForText(page, /^before$/m);
      // Offline: the connection is cut and reconnects are refused while 23 kB of output pass by.
      relay.refuse(true);
      relay.cut();
      await page.locator('[data-testid="connection-state"][data-state="reconnecting"]').waitFor();
      const id = /#\/sessions\/([^/]+)/.exec(page.url())?.[1] ?? '';
      const writer = await connect(small.url, id, { token: small.operatorToken, offset: 0 });
      writer.sendInput('go\n');
      await writer.waitForOutput((out) => out.includes('after'));
      await writer.close();
      relay.refuse(false);
      const text = await waitForText(page, /^after$/m, 15_000);
      // The marker may have scrolled out of view behind the buffered tail: find it in the scrollback.
      await page.keyboard.press('Control+Shift+F');
      await page.keyboard.type('bytes of output were lost (offsets 7–');
      await page
        .getByTestId('search-count')
        .filter({ hasText: /^1 of 1$/ })
        .waitFor();
      assert.equal(text.match(/^after$/gm)?.length, 1, 'what was still buffered arrived, once');
    } finally {
      await page.close();
      await relay.close();
      await small.stop();
    }
  });
});
