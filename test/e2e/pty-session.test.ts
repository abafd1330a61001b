// PTY sessions in a real browser: raw keystrokes, full-screen programs, the window size reaching
// the process, and a late watcher getting the screen from a snapshot.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot } from '../helpers/browser.ts';
import { waitForForegroundJob } from '../helpers/sessions.ts';
import {
  signIn,
  startFromForm,
  useWebFixture,
  terminalText,
  waitForTerminal,
  waitForText,
} from '../helpers/web.ts';

// Rows are read with trailing blanks trimmed: the prompt `pty$ ` reads as `pty$`.
const PROMPT = /^pty\$$/m;

describe('PTY sessions in the browser', () => {
  const web = useWebFixture({
    config: {
      profiles: {
        shell: {
          argv: ['bash', '--norc', '--noprofile'],
          mode: 'pty',
          env: { PS1: 'pty$ ' },
          description: 'a shell',
        },
      },
    },
  });

  /** The size the status bar reports for the session, as `stty size` prints it: rows cols. */
  async function sessionSize(page: Page): Promise<string> {
    const match = /(\d+)×(\d+)/.exec(await page.getByTestId('session-extra').innerText());
    if (match?.[1] === undefined || match[2] === undefined)
      throw new Error('no terminal size in the status bar');
    return `${match[2]} ${match[1]}`;
  }

  test('a window resize reaches stty size, less draws full-screen, a watcher gets the screen', async () => {
    const page = await web.newPage();
    await signIn(page, web.gateway);
    const id = await startFromForm(page, 'shell');
    await waitForText(page, PROMPT);

    await page.keyboard.type('stty size');
    await page.keyboard.press('Enter');
    const before = await sessionSize(page);
    await waitForText(page, new RegExp(`^${before}$`, 'm'));

    await page.setViewportSize({ width: 760, height: 520 });
    let after = before;
    for (let waited = 0; after === before && waited < 10_000; waited += 50) {
      await page.waitForTimeout(50);
      after = await sessionSize(page);
    }
    assert.notEqual(after, before, 'the session took the new size');
    await page.keyboard.type('clear; stty size');
    await page.keyboard.press('Enter');
    await waitForText(page, new RegExp(`^${after}$`, 'm'));

    await page.keyboard.type('seq 1 500 | less');
    await page.keyboard.press('Enter');
    const screen = await waitForText(page, /^:\s*$/m);
    const rows = Number(after.split(' ')[0]);
    assert.match(screen, new RegExp(`^1\\n2\\n3\\n[\\s\\S]*^${rows - 1}$`, 'm'), 'less filled the screen');
    await saveScreenshot(page, 'session-pty-less');

    // A watcher attaching now gets the current screen as a snapshot, not the history before it.
    const watcher = await web.newPage();
    await signIn(watcher, web.gateway);
    await watcher.goto(`${web.gateway.url}/#/sessions/${id}/view`);
    await waitForTerminal(watcher);
    const watched = await waitForText(watcher, /^:\s*$/m);
    assert.match(watched, /^1\n2\n3$/m);
    assert.doesNotMatch(watched, /stty size/, 'the alternate screen, not the shell history');

    await page.keyboard.press('q');
    await waitForText(page, /seq 1 500 \| less\npty\$$/m);
    // Raw keys: Ctrl-C at the prompt goes to the line discipline, not the session as a whole.
    await page.keyboard.type('sleep 30');
    await page.keyboard.press('Enter');
    // Wait for the job: a Ctrl-C before the shell has handed the terminal to `sleep` reaches the
    // shell instead, and `sleep` then runs its 30 s.
    await waitForForegroundJob(web.gateway, id, 'sleep');
    await page.keyboard.press('Control+C');
    await waitForText(page, /\^C\npty\$$/m);
    await page.keyboard.type('exit 3');
    await page.keyboard.press('Enter');
    await waitForText(page, /exited with code 3/);
    assert.match(await terminalText(watcher), /exited with code 3/);
  });
});
