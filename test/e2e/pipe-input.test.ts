// A pipe session remembers what was typed: a reload and a viewer see the questions with the
// answers (the gateway's `input` messages), in their own colour, and ↑ recalls them after a reload.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { saveScreenshot } from '../helpers/browser.ts';
import { signIn, startFromForm, useWebFixture, waitForTerminal, waitForText } from '../helpers/web.ts';

const TRANSCRIPT = /^x=7\nx\*6\n42\n1\/0\n.*divide by zero.*$/im;

describe('what was typed into a pipe session', () => {
  const web = useWebFixture();

  test('a reload and a viewer see what was typed into bc, and history survives the reload', async () => {
    const page = await web.newPage();
    await signIn(page, web.gateway);
    const id = await startFromForm(page, 'bc');
    // As a person types: each question after the answer to the last (typed ahead, the page would
    // echo the questions before bc's answers arrive).
    for (const [line, answer] of [
      ['x=7', null],
      ['x*6', /^42$/m],
      ['1/0', /divide by zero/i],
    ] as const) {
      await page.keyboard.type(line);
      await page.keyboard.press('Enter');
      if (answer !== null) await waitForText(page, answer);
    }
    await waitForText(page, TRANSCRIPT);
    // Typed here: shown once, not again when the gateway reports it.
    assert.equal((await waitForText(page, TRANSCRIPT)).match(/^x\*6$/gm)?.length, 1);

    await page.reload();
    await waitForTerminal(page);
    const reloaded = await waitForText(page, TRANSCRIPT);
    assert.equal(reloaded.match(/^x\*6$/gm)?.length, 1, 'each line once after the reload');
    const inputClass = await page
      .locator('.xterm-rows span', { hasText: 'x*6' })
      .first()
      .getAttribute('class');
    assert.match(inputClass ?? '', /xterm-fg-6\b/, 'typed input in its own colour (cyan)');
    const outputClass = await page
      .locator('.xterm-rows span', { hasText: '42' })
      .first()
      .getAttribute('class');
    assert.doesNotMatch(outputClass ?? '', /xterm-fg-6\b/, 'output in the default colour');
    await saveScreenshot(page, 'pipe-input-after-reload');

    // ↑ recalls what was typed before the reload.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await waitForText(page, /divide by zero[^\n]*\nx\*6\n42$/im);

    const viewer = await web.newPage();
    await signIn(viewer, web.gateway, web.gateway.viewerToken);
    await viewer.goto(`${web.gateway.url}/#/sessions/${id}/view`);
    await waitForTerminal(viewer);
    await waitForText(viewer, TRANSCRIPT);
    await page.keyboard.type('x+1');
    await page.keyboard.press('Enter');
    await waitForText(viewer, /^x\+1\n8$/m);
  });
});
