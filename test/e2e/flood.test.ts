// A `yes` flood: the page acks only what xterm.js has rendered, so the producer is paused instead of
// the tab freezing; the page keeps answering and Ctrl-C stops the flood.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { saveScreenshot } from '../helpers/browser.ts';
import { api, getNumber } from '../helpers/http.ts';
import { signIn, startFromForm, useWebFixture, waitForText } from '../helpers/web.ts';

describe('output floods', () => {
  const web = useWebFixture();

  test('the page stays responsive during a yes flood and Ctrl-C stops it', async () => {
    const page = await web.newPage({ viewport: { width: 1000, height: 700 } });
    await signIn(page, web.gateway);
    const id = await startFromForm(page, 'sh', `'yes shellgate-flood-line'`);
    await waitForText(page, /shellgate-flood-line/);

    const outputBytes = async (): Promise<number> =>
      getNumber(
        (await api(web.gateway.url, 'GET', `/api/sessions/${id}`, { token: web.gateway.operatorToken })).body,
        'session',
        'outputBytes',
      );
    const first = await outputBytes();

    // The main thread answers promptly while the flood renders (generous bound: shared CPUs).
    for (let i = 0; i < 5; i += 1) {
      const started = Date.now();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
      assert.ok(Date.now() - started < 2_000, `a frame within 2 s (took ${Date.now() - started} ms)`);
      await page.waitForTimeout(200);
    }
    // The UI works: open and close the search bar during the flood.
    await page.getByTestId('open-search').click();
    await page.getByTestId('search-input').waitFor();
    await page.keyboard.press('Escape');
    await saveScreenshot(page, 'session-flood');

    const second = await outputBytes();
    assert.ok(second > first, 'the flood is flowing');

    await page.locator('[data-testid="terminal"]').click();
    const started = Date.now();
    await page.keyboard.press('Control+C');
    await page.locator('[data-testid="session-state"][data-state="exited"]').waitFor({ timeout: 15_000 });
    const elapsedMs = Date.now() - started;
    assert.match(await page.getByTestId('session-state').innerText(), /killed by SIGINT/);
    await waitForText(page, /killed by SIGINT/, 15_000);
    assert.ok(elapsedMs < 10_000, `stopped ${elapsedMs} ms after Ctrl-C`);
  });
});
