// Watching sessions in a real browser: a share link opened in a second browser context shows the
// live session and nothing else, and ends when revoked; a recording plays back to its final screen,
// stderr in its own colour, from the recordings page.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot } from '../helpers/browser.ts';
import { api } from '../helpers/http.ts';
import { getSession } from '../helpers/sessions.ts';
import { sh } from '../helpers/sessions.ts';
import {
  UI_TIMEOUT_MS,
  signIn,
  startFromForm,
  useWebFixture,
  waitForTerminal,
  waitForText,
} from '../helpers/web.ts';

const recordingDir = join(tmpdir(), `shellgate-e2e-recordings-${randomBytes(6).toString('hex')}`);

describe('share links and playback in the browser', () => {
  const web = useWebFixture({ config: { recording: { enabled: true, dir: recordingDir } } });
  after(async () => {
    await rm(recordingDir, { recursive: true, force: true });
  });

  test('a view link opened in a second browser watches the live session, and ends when revoked', async () => {
    const owner = await web.newPage();
    await signIn(owner, web.gateway);
    await startFromForm(owner, 'cat');
    await owner.getByTestId('open-share').click();
    await owner.getByTestId('share-create').click();
    const input = owner.getByTestId('share-url');
    await owner.waitForFunction(
      () => (document.querySelector<HTMLInputElement>('[data-testid="share-url"]')?.value ?? '') !== '',
      undefined,
      { timeout: UI_TIMEOUT_MS },
    );
    const url = await input.inputValue();
    assert.match(url, new RegExp(`^${web.gateway.url}/#share=[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$`));
    await owner.getByTestId('share-item').first().waitFor({ timeout: UI_TIMEOUT_MS });
    await saveScreenshot(owner, 'share-panel');

    // Another browser, signed in as nobody: the link alone opens the session.
    const guest = await web.newPage();
    await guest.goto(url);
    await waitForTerminal(guest);
    assert.equal(new URL(guest.url()).hash, '#/shared', 'the secret left the address bar');
    assert.equal(await guest.getByTestId('session-view').getAttribute('data-role'), 'view');
    for (const absent of ['back-to-sessions', 'recordings-link', 'open-share', 'sign-out']) {
      assert.equal(await guest.getByTestId(absent).count(), 0, `${absent} is not offered through a link`);
    }
    await owner.getByTestId('terminal').click();
    await owner.keyboard.type('hello from the owner');
    await owner.keyboard.press('Enter');
    await waitForText(guest, /hello from the owner/);
    await saveScreenshot(guest, 'share-guest-watching');
    // Typing in the guest's terminal goes nowhere.
    await guest.getByTestId('terminal').click();
    await guest.keyboard.type('from the guest');
    await guest.keyboard.press('Enter');
    await owner.keyboard.type('second line');
    await owner.keyboard.press('Enter');
    const seen = await waitForText(guest, /second line/);
    assert.doesNotMatch(seen, /from the guest/);

    await owner.getByTestId('share-revoke').first().click();
    await guest
      .getByTestId('signin-error')
      .filter({ hasText: /expired or was revoked/ })
      .waitFor({
        timeout: UI_TIMEOUT_MS,
      });
    await saveScreenshot(guest, 'share-guest-revoked');
    // The same link again, in a fresh tab: refused, and the page says why.
    const late = await web.newPage();
    await late.goto(url);
    await late
      .getByTestId('signin-error')
      .filter({ hasText: /cannot be opened: .*revoked/ })
      .waitFor({ timeout: UI_TIMEOUT_MS });
  });

  test('a recording plays to its final screen, stderr in its own colour, markers listed', async () => {
    // It waits for a SIGTERM, sent over HTTP below: the recording gets a marker for it.
    const session = await sh(
      web.gateway,
      'trap \'printf "last line\\n"; exit 3\' TERM; printf "first line\\n"; printf "an error line\\n" >&2; while :; do sleep 0.1; done',
    );
    const printed = 'first line\nan error line\n'.length;
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if ((await getSession(web.gateway, session.id)).outputBytes >= printed) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const signalled = await api(web.gateway.url, 'POST', `/api/sessions/${session.id}/signal`, {
      token: web.gateway.operatorToken,
      body: { signal: 'SIGTERM' },
    });
    assert.equal(signalled.status, 200, signalled.text);
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if ((await getSession(web.gateway, session.id)).state === 'exited') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const page: Page = await web.newPage();
    await signIn(page, web.gateway);
    await page.getByTestId('recordings-link').click();
    const row = page.locator(`[data-testid="recording-row"]`).filter({ hasText: 'sh' }).first();
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    await saveScreenshot(page, 'recordings-list');
    await row.getByTestId('play').click();
    await page.locator('[data-testid="player"][data-ended="true"]').waitFor({ timeout: 20_000 });
    // The player says it ended before its terminal has drawn the last frame (the drawing waits for
    // an animation frame, late on a loaded machine): wait for the last line, then read the screen.
    await page.locator('.ap-term-text', { hasText: 'last line' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const screen = await page.locator('.ap-term-text').innerText();
    // (sh may say on stderr that its `sleep` was terminated.)
    assert.match(screen, /^first line\s*\nan error line\s*\n(Terminated\s*\n)?last line/);
    assert.equal(await page.getByTestId('marker').count(), 1);
    assert.match(await page.getByTestId('marker').first().innerText(), /s — signal SIGTERM by operator$/);
    assert.match(await page.getByTestId('player-summary').innerText(), /exit status 3/);
    const colour = (text: string): Promise<string> =>
      page.evaluate((wanted) => {
        const spans = Array.from(document.querySelectorAll('.ap-term-text span'));
        // The innermost span holding the text: lines are spans of coloured spans.
        const span = spans.find(
          (element) => element.children.length === 0 && element.textContent.includes(wanted),
        );
        return span === undefined ? 'absent' : getComputedStyle(span).color;
      }, text);
    const stdoutColour = await colour('first');
    const stderrColour = await colour('error');
    assert.notEqual(stderrColour, 'absent');
    assert.notEqual(stderrColour, stdoutColour, 'stderr is shown in its own colour');
    await saveScreenshot(page, 'recording-played');
  });
});
