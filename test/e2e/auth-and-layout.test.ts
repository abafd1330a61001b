// Signing in and out, and the pages as a person meets them: keyboard only, a phone-sized screen,
// the dark theme. Screenshots of each view go to test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { saveScreenshot } from '../helpers/browser.ts';
import { signIn, useWebFixture, waitForTerminal, waitForText } from '../helpers/web.ts';

describe('sign-in and layout', () => {
  const web = useWebFixture();

  test('the start-up URL signs in and the token leaves the address bar and history', async () => {
    const page = await web.newPage();
    await signIn(page, web.gateway);
    assert.doesNotMatch(page.url(), /token/);
    assert.match(await page.getByTestId('identity').innerText(), /operator/);
    await page.getByTestId('sign-out').click();
    await page.getByTestId('token-input').waitFor();
    const whoami = await page.evaluate(async () => (await fetch('/api/whoami')).status);
    assert.equal(whoami, 401, 'signing out ended the login');
    // The start-up URL's history entry was replaced: going back leaves the app entirely.
    await page.goBack();
    assert.equal(page.url(), 'about:blank');
  });

  test('a refused token gets a clear message; the right one signs in with the keyboard alone', async () => {
    const page = await web.newPage();
    // A fast typist beats the profile list: hold it back so Enter on Start comes first, every run.
    await page.route('**/api/profiles', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await route.continue();
    });
    await page.goto(`${web.gateway.url}/#token=not-a-real-token-at-all`);
    await page.getByTestId('token-input').waitFor();
    assert.match(await page.getByTestId('signin-error').innerText(), /not accepted/);
    assert.doesNotMatch(page.url(), /token=/);
    await saveScreenshot(page, 'signin-refused');

    // Keyboard only: the token field has focus, Enter submits, Tab reaches Start, Enter starts.
    await page.keyboard.type(web.gateway.operatorToken);
    await page.keyboard.press('Enter');
    await page.getByTestId('sessions-view').waitFor();
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'profile-select',
    );
    await page.keyboard.press('Tab'); // the arguments field is disabled for bc: straight to Start
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'start-session',
    );
    await page.keyboard.press('Enter');
    await waitForTerminal(page);
    await page.keyboard.type('7*6');
    await page.keyboard.press('Enter');
    await waitForText(page, /^42$/m);
  });

  test('on a narrow screen in the dark theme nothing overflows and the terminal still fills the window', async () => {
    const page = await web.newPage({ viewport: { width: 390, height: 760 }, colorScheme: 'dark' });
    await signIn(page, web.gateway);
    await page.getByTestId('profile-select').selectOption('sh');
    await page
      .getByTestId('args-input')
      .fill(`'echo "visit https://example.com/docs"; echo oops >&2; sleep 30'`);
    await page.getByTestId('start-session').click();
    await waitForTerminal(page);
    await waitForText(page, /oops/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(background, 'rgb(243, 244, 246)', 'dark background, not the light one');
    const frame = await page.locator('.terminal-frame').boundingBox();
    assert.ok(
      frame !== null && frame.height > 400,
      `terminal area is most of the screen (${frame?.height ?? 0}px)`,
    );
    await saveScreenshot(page, 'narrow-dark-session');

    await page.getByTestId('back-to-sessions').click();
    await page.getByTestId('session-row').first().waitFor();
    const listOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(listOverflow <= 0, `no horizontal scrolling on the list (overflow ${listOverflow}px)`);
    for (const id of ['start-session', 'remove']) {
      const box = await page.getByTestId(id).first().boundingBox();
      assert.ok(
        box !== null && box.x + box.width <= 390,
        `${id} is on screen (right edge ${box ? box.x + box.width : '?'})`,
      );
    }
    await saveScreenshot(page, 'narrow-dark-sessions');
  });

  test('the session list shows what an operator needs and the theme toggle switches to light', async () => {
    const page = await web.newPage({ colorScheme: 'dark' });
    await signIn(page, web.gateway);
    await page.getByTestId('session-row').first().waitFor();
    const row = page.getByTestId('session-row').first();
    for (const label of ['Profile', 'Command', 'PID', 'State', 'Exit', 'Age', 'Clients']) {
      assert.notEqual(
        (await row.locator(`td[data-label="${label}"]`).innerText()).trim(),
        '',
        `${label} is filled`,
      );
    }
    await saveScreenshot(page, 'sessions-list-dark');
    await page.getByTestId('theme-toggle').click(); // system → light
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    await saveScreenshot(page, 'sessions-list-light');
  });
});
