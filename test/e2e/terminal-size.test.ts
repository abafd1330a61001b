// A PTY session's terminal in windows of other sizes: a viewer always sees the whole screen (scaled
// to fit or scrollable, as chosen), and two controllers share the size as tmux's `window-size
// latest` does — the one who typed or resized last owns it, the other is told.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot } from '../helpers/browser.ts';
import { signIn, startFromForm, useWebFixture, waitForTerminal, waitForText } from '../helpers/web.ts';

const PROMPT = /^\$$/m;

/** Where `text` is drawn on the page, and the box of the terminal's host it must lie within. */
async function placement(page: Page, text: string) {
  return page.evaluate((wanted) => {
    const host = document.querySelector('[data-testid="terminal"]');
    const rows = Array.from(document.querySelectorAll('[data-testid="terminal"] .xterm-rows > div'));
    const row = rows.find((candidate) => candidate.textContent?.includes(wanted));
    if (host === null || row === undefined) return null;
    // No named helper here: the test runner's transpiler would wrap it in a function the page lacks.
    const [h, r, sc] = [host, row, document.querySelector('[data-testid="terminal"] .xterm-screen')].map(
      (element) => element?.getBoundingClientRect() ?? null,
    );
    if (h === null || h === undefined || r === null || r === undefined) return null;
    return {
      host: { left: h.left, top: h.top, right: h.right, bottom: h.bottom },
      row: { left: r.left, top: r.top, right: r.right, bottom: r.bottom },
      screen:
        sc === null || sc === undefined
          ? null
          : { left: sc.left, top: sc.top, right: sc.right, bottom: sc.bottom },
    };
  }, text);
}

/**
 * The placement of `text` once the screen lies inside the host: a resize or a change of mode is laid
 * out on the page's own schedule, so poll (bounded) instead of waiting a fixed time. Returns the last
 * placement seen, for the caller's assertions to show.
 */
async function fittedPlacement(page: Page, text: string): ReturnType<typeof placement> {
  let seen = await placement(page, text);
  for (let attempt = 0; attempt < 100 && !(seen?.screen && inside(seen.screen, seen.host)); attempt += 1) {
    await page.waitForTimeout(100);
    seen = await placement(page, text);
  }
  return seen;
}

function inside(
  inner: { left: number; top: number; right: number; bottom: number },
  outer: { left: number; top: number; right: number; bottom: number },
): boolean {
  const slack = 1;
  return (
    inner.left >= outer.left - slack &&
    inner.top >= outer.top - slack &&
    inner.right <= outer.right + slack &&
    inner.bottom <= outer.bottom + slack
  );
}

/** The size the status bar reports for the session, as `cols×rows`. */
async function sessionSize(page: Page): Promise<string> {
  return /(\d+×\d+)/.exec(await page.getByTestId('session-extra').innerText())?.[1] ?? '';
}

describe('terminal sizes across windows', () => {
  const web = useWebFixture();

  test('a viewer in a smaller window sees the whole screen, scaled or scrolled, and a key press never blanks it', async () => {
    const owner = await web.newPage({ viewport: { width: 1100, height: 700 } });
    await signIn(owner, web.gateway);
    const id = await startFromForm(owner, 'shell');
    await waitForText(owner, PROMPT);
    await owner.keyboard.type(
      'for i in 1 2 3 4 5; do echo "line-$i $(printf %090d 0)-right-edge"; done; echo top-left-ok',
    );
    await owner.keyboard.press('Enter');
    await waitForText(owner, /^top-left-ok$/m);
    const size = await sessionSize(owner);
    assert.match(size, /^\d+×\d+$/);

    const viewer = await web.newPage({ viewport: { width: 800, height: 500 } });
    await signIn(viewer, web.gateway);
    await viewer.goto(`${web.gateway.url}/#/sessions/${id}/view`);
    await waitForTerminal(viewer);
    await waitForText(viewer, /^top-left-ok$/m);
    await viewer.getByTestId('size-notice').waitFor();
    assert.match(await viewer.getByTestId('size-notice-text').innerText(), new RegExp(size));

    // Scaled to fit (the default): the whole screen, right edge included, lies inside the window.
    await viewer.locator('[data-testid="terminal"]').click();
    await viewer.keyboard.press('a');
    await viewer.keyboard.press('Enter');
    const fitted = await fittedPlacement(viewer, '-right-edge');
    assert.ok(fitted?.screen, 'the viewer draws the screen');
    assert.ok(inside(fitted.screen, fitted.host), `the whole screen is in view: ${JSON.stringify(fitted)}`);
    assert.ok(inside(fitted.row, fitted.host), 'the long line, to its right edge, is in view');
    await saveScreenshot(viewer, 'viewer-800x500-fit');

    // At full size: the frame scrolls, and what is scrolled to is drawn (never a blank frame).
    await viewer.getByTestId('view-fit').selectOption('scroll');
    await viewer.locator('[data-testid="terminal"]').click({ position: { x: 20, y: 20 } });
    await viewer.keyboard.press('b');
    const scrollable = await viewer.evaluate(() => {
      const host = document.querySelector<HTMLElement>('[data-testid="terminal"]');
      return host === null ? null : { scrollWidth: host.scrollWidth, clientWidth: host.clientWidth };
    });
    assert.ok(
      scrollable !== null && scrollable.scrollWidth > scrollable.clientWidth,
      'wider than the window: scrollable',
    );
    await viewer.evaluate(() => {
      const host = document.querySelector<HTMLElement>('[data-testid="terminal"]');
      host?.scrollTo({ left: 0, top: 0 });
    });
    const scrolled = await placement(viewer, 'top-left-ok');
    assert.ok(
      scrolled !== null && inside(scrolled.row, { ...scrolled.host, right: scrolled.host.right + 2000 }),
    );
    await saveScreenshot(viewer, 'viewer-800x500-scroll');

    // A phone-sized window, and one larger than the session: the whole screen either way.
    await viewer.getByTestId('view-fit').selectOption('fit');
    await viewer.setViewportSize({ width: 420, height: 700 });
    const phone = await fittedPlacement(viewer, '-right-edge');
    assert.ok(
      phone?.screen && inside(phone.screen, phone.host),
      `phone: all in view ${JSON.stringify(phone)}`,
    );
    await saveScreenshot(viewer, 'viewer-420x700-fit');
    await viewer.setViewportSize({ width: 1500, height: 950 });
    const large = await fittedPlacement(viewer, '-right-edge');
    assert.ok(large?.screen && inside(large.screen, large.host), 'larger window: all in view, unscaled');
    await saveScreenshot(viewer, 'viewer-1500x950');
    assert.equal(await sessionSize(owner), size, 'the viewer never changed the session size');
  });

  test('two controllers: whoever typed or resized last owns the size, and the other is told', async () => {
    const first = await web.newPage({ viewport: { width: 1100, height: 700 } });
    await signIn(first, web.gateway);
    const id = await startFromForm(first, 'shell');
    await waitForText(first, PROMPT);
    const firstSize = await sessionSize(first);

    const second = await web.newPage({ viewport: { width: 800, height: 500 } });
    await signIn(second, web.gateway);
    await second.goto(`${web.gateway.url}/#/sessions/${id}`);
    await waitForTerminal(second);
    // Attaching reports the second window's size: it is the most recent controller now.
    await first.getByTestId('size-notice').waitFor({ timeout: 10_000 });
    const secondSize = await sessionSize(second);
    assert.notEqual(secondSize, firstSize);
    assert.equal(await second.getByTestId('size-notice').isVisible(), false, 'its own size: no notice');
    assert.match(await first.getByTestId('size-notice-text').innerText(), /another client's window/);

    // Typing takes the size back before the keys reach the shell.
    await first.keyboard.type('stty size');
    await first.keyboard.press('Enter');
    const [cols, rows] = firstSize.split('×');
    await waitForText(first, new RegExp(`^${rows} ${cols}$`, 'm'));
    await first.getByTestId('size-notice').waitFor({ state: 'hidden' });
    await second.getByTestId('size-notice').waitFor();
    await saveScreenshot(second, 'controller-not-sized-for-this-window');

    await second.locator('[data-testid="terminal"]').click();
    await second.keyboard.type('stty size');
    await second.keyboard.press('Enter');
    const [cols2, rows2] = secondSize.split('×');
    await waitForText(second, new RegExp(`^${rows2} ${cols2}$`, 'm'));
    await first.getByTestId('size-notice').waitFor();
  });
});
