// The session toolbar and status bar as an operator uses them: the keyboard returns to the terminal
// after every toolbar action, signals on a terminal session reach the running command, Terminate
// asks first, links open only on Ctrl/Cmd-click, and a lost connection is not shown as a live state.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitForForegroundJob } from '../helpers/sessions.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import type { TcpProxy } from '../helpers/tcp-proxy.ts';
import { signIn, startFromForm, useWebFixture, waitForText } from '../helpers/web.ts';

const PROMPT = /^\$$/m;

describe('the session toolbar and status bar', () => {
  const web = useWebFixture();
  let proxy: TcpProxy;
  before(async () => {
    proxy = await startTcpProxy(web.gateway.port);
  });
  after(async () => {
    await proxy.close();
  });

  test('after Send, EOF, Find or Theme the keyboard belongs to the terminal again', async () => {
    const page = await web.newPage();
    await signIn(page, web.gateway);
    const id = await startFromForm(page, 'shell');
    await waitForText(page, PROMPT);
    await page.keyboard.type('sleep 100');
    await page.keyboard.press('Enter');
    // The shell hands the terminal to `sleep` first (however long a loaded machine takes).
    await waitForForegroundJob(web.gateway, id, 'sleep');
    await page.getByTestId('signal-select').selectOption('SIGINT');
    await page.getByTestId('send-signal').click();
    await waitForText(page, /sleep 100\n(\^C)?\n?\$$/m);
    await page.keyboard.type('echo x-$((6*7))');
    await page.keyboard.press('Enter');
    await waitForText(page, /^x-42$/m);

    // Space and Enter go to the shell, not to the button that was clicked last.
    await page.getByTestId('theme-toggle').click();
    await page.keyboard.type('echo after-theme');
    await page.keyboard.press('Enter');
    await waitForText(page, /^after-theme$/m);

    await page.getByTestId('open-search').click();
    await page.keyboard.type('after-theme');
    await page.keyboard.press('Escape');
    await page.keyboard.type('echo after-find');
    await page.keyboard.press('Enter');
    await waitForText(page, /^after-find$/m);

    // EOF ends the terminal's input for good (the session's stdin is closed): it goes last.
    await page.keyboard.type('cat; echo cat-ended');
    await page.keyboard.press('Enter');
    await waitForForegroundJob(web.gateway, id, 'cat');
    await page.getByTestId('send-eof').click();
    await waitForText(page, /^cat-ended$/m);
    await page.keyboard.type('x');
    await page.getByTestId('error-banner').waitFor();
    assert.match(
      await page.getByTestId('error-text').innerText(),
      /STDIN_CLOSED/,
      'the key went to the terminal',
    );
  });

  test('on a terminal session the toolbar signals the running command, not the shell', async () => {
    const page = await web.newPage();
    await signIn(page, web.gateway);
    await startFromForm(page, 'shell');
    await waitForText(page, PROMPT);
    await page.keyboard.type(
      `sh -c 'trap "echo got-TERM; exit 0" TERM; echo looping; while :; do sleep 0.1; done'`,
    );
    await page.keyboard.press('Enter');
    await waitForText(page, /^looping$/m);
    await page.getByTestId('signal-select').selectOption('SIGTERM');
    await page.getByTestId('send-signal').click();
    await waitForText(page, /^got-TERM\n\$$/m);

    // STOP stops the job (the shell reports it and prompts again); the shell itself keeps going.
    await page.keyboard.type(`sh -c 'while :; do echo tick; sleep 0.2; done'`);
    await page.keyboard.press('Enter');
    await waitForText(page, /^tick$/m);
    await page.getByTestId('signal-select').selectOption('SIGSTOP');
    await page.getByTestId('send-signal').click();
    await waitForText(page, /Stopped[\s\S]*\$$/);
    await page.keyboard.type('echo shell-alive');
    await page.keyboard.press('Enter');
    await waitForText(page, /^shell-alive$/m);
    assert.match(await page.getByTestId('session-state').innerText(), /running/);
  });

  test('Terminate asks for confirmation first; a plain click on a link does not open it, Ctrl-click does', async () => {
    const page = await web.newPage();
    await signIn(page, web.gateway);
    await startFromForm(page, 'sh', `'echo see http://127.0.0.1:9/docs here; sleep 60'`);
    await waitForText(page, /http:\/\/127\.0\.0\.1:9\/docs/);

    const link = page.locator('.xterm-rows span', { hasText: 'http://127.0.0.1:9/docs' }).first();
    let popups = 0;
    page.context().on('page', () => (popups += 1));
    const box = await page
      .locator('.xterm-rows > div', { hasText: 'http://127.0.0.1:9/docs' })
      .first()
      .boundingBox();
    assert.ok(box !== null && (await link.count()) >= 0);
    // The link starts after "see " (4 cells); hover it so the link provider sees the mouse.
    const cell = box.width / 80;
    const x = box.x + cell * 10;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.waitForTimeout(200);
    await page.mouse.click(x, y);
    await page.waitForTimeout(500);
    assert.equal(popups, 0, 'a plain click opens nothing');
    const opened = page.context().waitForEvent('page', { timeout: 5_000 });
    await page.keyboard.down('Control');
    await page.mouse.move(x + 1, y);
    await page.mouse.click(x + 1, y);
    await page.keyboard.up('Control');
    await (await opened).close();

    const terminate = page.getByTestId('terminate');
    await terminate.click();
    assert.match(await terminate.innerText(), /Really terminate\?/);
    await page.waitForTimeout(500);
    assert.match(await page.getByTestId('session-state').innerText(), /running/, 'one click ends nothing');
    await terminate.click();
    await waitForText(page, /killed by SIGTERM|exited with code/);
  });

  test('offline, the status bar does not claim a live state; the error banner goes on reconnect and takes no rows', async () => {
    const page = await web.newPage();
    await signIn(page, web.gateway, web.gateway.operatorToken, proxy.url);
    await startFromForm(page, 'sh', `'echo ready; sleep 60'`);
    await waitForText(page, /^ready$/m);
    const rowsBefore = await page.locator('[data-testid="terminal"] .xterm-rows > div').count();
    // A refused request: a banner over the terminal, not rows taken from it.
    await page.getByTestId('send-eof').click();
    await page.waitForTimeout(200);
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.type('late');
    await page.keyboard.press('Enter');
    await page.getByTestId('error-banner').waitFor();
    assert.match(await page.getByTestId('error-text').innerText(), /STDIN_CLOSED/);
    assert.equal(await page.locator('[data-testid="terminal"] .xterm-rows > div').count(), rowsBefore);

    proxy.refuse(true);
    proxy.cut();
    await page.locator('[data-testid="connection-state"]:not([data-state="connected"])').waitFor();
    const state = await page.getByTestId('session-state').innerText();
    const extra = await page.getByTestId('session-extra').innerText();
    assert.doesNotMatch(`${state} ${extra}`, /^running|attached/, `offline: ${state} · ${extra}`);
    proxy.refuse(false);
    await page
      .locator('[data-testid="connection-state"][data-state="connected"]')
      .waitFor({ timeout: 15_000 });
    await page.getByTestId('error-banner').waitFor({ state: 'hidden' });
    assert.match(await page.getByTestId('session-extra').innerText(), /attached/);
  });
});
