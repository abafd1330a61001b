// What ttyd, WeTTY and VS Code users expect of a browser terminal: font size keys that are
// remembered, screen-reader mode, copy on select, Ctrl+V for the program and Ctrl+Shift+V to paste,
// a key to let Tab leave the terminal, find with case and regex options, and extra keys on phones.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { saveScreenshot } from '../helpers/browser.ts';
import { waitForForegroundJob } from '../helpers/sessions.ts';
import { signIn, startFromForm, useWebFixture, waitForTerminal, waitForText } from '../helpers/web.ts';

const PROMPT = /^\$$/m;

describe('terminal settings and keys', () => {
  const web = useWebFixture();

  test('font size keys, screen-reader mode and copy on select are settings that survive a reload', async () => {
    const page = await web.newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.gateway.url });
    await signIn(page, web.gateway);
    await startFromForm(page, 'bc');
    const fontSize = (): Promise<string> =>
      page.evaluate(() => getComputedStyle(document.querySelector('.xterm-rows') ?? document.body).fontSize);
    assert.equal(await fontSize(), '14px');
    await page.keyboard.press('Control+=');
    await page.keyboard.press('Control+=');
    assert.equal(await fontSize(), '16px');
    await page.keyboard.press('Control+-');
    assert.equal(await fontSize(), '15px');
    await page.reload();
    await waitForTerminal(page);
    assert.equal(await fontSize(), '15px', 'remembered');
    await page.keyboard.press('Control+0');
    assert.equal(await fontSize(), '14px');

    await page.getByTestId('open-settings').click();
    await page.getByTestId('setting-screen-reader').check();
    await page.locator('.xterm-accessibility').waitFor({ state: 'attached' });
    assert.match(await page.getByTestId('announcer').innerText(), /Screen reader mode on/);
    await page.getByTestId('setting-copy-on-select').check();
    await saveScreenshot(page, 'settings-accessibility');
    await page.getByTestId('open-settings').click();

    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.type('6*7');
    await page.keyboard.press('Enter');
    await waitForText(page, /^42$/m);
    const box = await page.locator('.xterm-rows span', { hasText: '42' }).first().boundingBox();
    assert.ok(box !== null);
    await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
    let copied = '';
    for (let i = 0; i < 40 && copied !== '42'; i += 1) {
      await page.waitForTimeout(50);
      copied = await page.evaluate(() => navigator.clipboard.readText());
    }
    assert.equal(copied, '42', 'the selection was copied without a key');
    await page.getByTestId('open-settings').click();
    await page.getByTestId('setting-screen-reader').uncheck();
    await page.getByTestId('setting-copy-on-select').uncheck();
  });

  test('Ctrl+V reaches the program, Ctrl+M lets Tab leave the terminal, find matches case and regex', async () => {
    const page = await web.newPage();
    await signIn(page, web.gateway);
    const id = await startFromForm(page, 'shell');
    await waitForText(page, PROMPT);
    await page.keyboard.type(`stty raw -echo; dd bs=1 count=1 2>/dev/null | od -An -tx1; stty sane`);
    await page.keyboard.press('Enter');
    // dd reads the key: the terminal is raw by then (stty ran first).
    await waitForForegroundJob(web.gateway, id, 'dd');
    await page.keyboard.press('Control+V');
    await waitForText(page, /^\s*16$/m);

    await page.keyboard.press('Control+M');
    assert.match(await page.getByTestId('announcer').innerText(), /Tab moves the focus/);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.className ?? '');
    assert.doesNotMatch(focused, /xterm-helper-textarea/, 'Tab left the terminal');
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.press('Control+M');
    await page.keyboard.type('echo Alpha alpha ALPHA a1pha');
    await page.keyboard.press('Enter');
    await waitForText(page, /^Alpha alpha ALPHA a1pha$/m);

    await page.keyboard.press('Control+Shift+F');
    await page.keyboard.type('alpha');
    const count = page.getByTestId('search-count');
    await count.filter({ hasText: /of 6$/ }).waitFor();
    await page.getByTestId('search-case').check();
    await count.filter({ hasText: /of 2$/ }).waitFor();
    await page.getByTestId('search-input').fill('a[l1]pha');
    await count.filter({ hasText: /no matches/ }).waitFor();
    await page.getByTestId('search-regex').check();
    await count.filter({ hasText: /of 4$/ }).waitFor();
    await page.getByTestId('search-input').fill('a[l1');
    await count.filter({ hasText: /invalid expression/ }).waitFor();
  });

  test('on a phone a row of extra keys types Esc, Tab, Ctrl combinations and arrows', async () => {
    const page = await web.newPage({ viewport: { width: 390, height: 760 }, isMobile: true, hasTouch: true });
    await signIn(page, web.gateway);
    const id = await startFromForm(page, 'shell');
    await waitForText(page, PROMPT);
    const keys = page.getByTestId('extra-keys');
    await keys.waitFor();
    await page.keyboard.type('echo one');
    await page.keyboard.press('Enter');
    await waitForText(page, /^one$/m);
    await keys.getByRole('button', { name: 'Up' }).tap();
    await page.keyboard.press('Enter');
    await waitForText(page, /^one\n\$ echo one\none$/m);
    await page.keyboard.type('sleep 30');
    await page.keyboard.press('Enter');
    await waitForForegroundJob(web.gateway, id, 'sleep');
    await keys.getByRole('button', { name: 'Ctrl' }).tap();
    assert.equal(await keys.getByRole('button', { name: 'Ctrl' }).getAttribute('aria-pressed'), 'true');
    await page.keyboard.type('c');
    await waitForText(page, /sleep 30\n\^C\n\$$/m);
    assert.equal(await keys.getByRole('button', { name: 'Ctrl' }).getAttribute('aria-pressed'), 'false');
    await page.keyboard.type('ech');
    await keys.getByRole('button', { name: 'Tab' }).tap();
    await page.keyboard.type(' tabbed');
    await page.keyboard.press('Enter');
    await waitForText(page, /^tabbed$/m);
    await saveScreenshot(page, 'phone-extra-keys');
  });
});
