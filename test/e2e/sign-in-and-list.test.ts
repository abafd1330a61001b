// Signing in from a start-up URL pasted into a tab that is already open, the session list's layout
// and errors, and an accessibility check (axe) of each page.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { createSession, signIn, startFromForm, useWebFixture, waitForText } from '../helpers/web.ts';

/** Serious or critical axe violations on the page, as readable lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
}

describe('sign-in and the session list', () => {
  const web = useWebFixture();

  test('the sign-in form says where a token comes from on a default start, and passes axe', async () => {
    const page = await web.newPage();
    await page.goto(`${web.gateway.url}/`);
    await page.getByTestId('token-input').waitFor();
    assert.match(
      await page.locator('form.signin').innerText(),
      /prints a sign-in URL with a new token when it starts/,
    );
    assert.deepEqual(await seriousViolations(page), [], 'the sign-in form');
  });

  test('a start-up URL pasted into an open tab signs in and leaves no token in the address bar or history', async () => {
    const page = await web.newPage();
    await page.goto(`${web.gateway.url}/`);
    await page.getByTestId('token-input').waitFor();
    // As pasting into the address bar does: same document, only the fragment changes.
    await page.goto(`${web.gateway.url}/#token=${encodeURIComponent(web.gateway.operatorToken)}`);
    await page.getByTestId('sessions-view').waitFor({ timeout: 10_000 });
    assert.doesNotMatch(page.url(), /token/);
    const visited = await page.evaluate(() => history.length);
    for (let i = 0; i < visited; i += 1) {
      const back = await page.goBack({ waitUntil: 'commit' }).catch(() => null);
      if (back === null && !page.url().includes('#')) break;
      assert.doesNotMatch(page.url(), /token=/, 'no token in history');
    }
  });

  test('the list lines up its action cells, reports errors without class names, and passes axe', async () => {
    await createSession(web.gateway, 'cat');
    const page = await web.newPage();
    await signIn(page, web.gateway);
    await page.getByTestId('session-row').first().waitFor();
    const cells = await page.evaluate(() => {
      const row = document.querySelector('[data-testid="session-row"]');
      const actions = row?.querySelector('.row-actions');
      const first = row?.querySelector('td');
      if (
        row === null ||
        row === undefined ||
        actions === null ||
        actions === undefined ||
        first === null ||
        first === undefined
      )
        return null;
      return {
        display: getComputedStyle(actions).display,
        rowTop: row.getBoundingClientRect().top,
        rowHeight: row.getBoundingClientRect().height,
        actionsTop: actions.getBoundingClientRect().top,
        actionsHeight: actions.getBoundingClientRect().height,
        firstHeight: first.getBoundingClientRect().height,
      };
    });
    assert.ok(cells !== null);
    assert.equal(cells.display, 'table-cell');
    assert.ok(
      Math.abs(cells.actionsTop - cells.rowTop) < 1,
      `actions cell starts with its row: ${JSON.stringify(cells)}`,
    );
    assert.ok(Math.abs(cells.actionsHeight - cells.firstHeight) < 1, 'and is as tall as the other cells');
    assert.deepEqual(await seriousViolations(page), [], 'the session list');

    await page.context().setOffline(true);
    const error = page.getByTestId('sessions-error');
    await error.filter({ hasText: /Cannot list sessions/ }).waitFor({ timeout: 10_000 });
    assert.doesNotMatch(await error.innerText(), /ApiError|TypeError/);
    await page.context().setOffline(false);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="sessions-error"]')?.textContent === '',
      undefined,
      { timeout: 10_000 },
    );

    await startFromForm(page, 'bc');
    await page.keyboard.type('2+3');
    await page.keyboard.press('Enter');
    await waitForText(page, /^5$/m);
    assert.deepEqual(await seriousViolations(page), [], 'a session page');
  });
});
