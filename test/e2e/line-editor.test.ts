// The pipe line editor with lines longer than the terminal is wide: editing in the middle, deleting
// across the wrap, recalling history, output arriving and a window resize while a wrapped line is
// on screen. The screen must show exactly the line being edited and the process must get exactly it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { saveScreenshot } from '../helpers/browser.ts';
import {
  signIn,
  startFromForm,
  useWebFixture,
  terminalText,
  UI_TIMEOUT_MS,
  waitForText,
} from '../helpers/web.ts';

const NARROW = { width: 360, height: 640 };

/** `1+2+…+9+1+…`: deleting any two neighbouring characters leaves a valid sum. */
function digitSum(terms: number, first = 1): string {
  return Array.from({ length: terms }, (_, i) => String(((first + i - 1) % 9) + 1)).join('+');
}

function sum(expression: string): number {
  return expression.split('+').reduce((total, term) => total + Number(term), 0);
}

/**
 * Polls the screen until the rows below the last row that reads `marker` are, run together, exactly
 * `line` (the rows a wrapped line occupies) and pass `also`; anything else there — a stray
 * character, a leftover row — fails with what the screen showed.
 */
async function waitForLineAfter(
  page: Page,
  marker: string,
  line: string,
  also: (rows: string[]) => boolean = () => true,
): Promise<string[]> {
  const deadline = Date.now() + UI_TIMEOUT_MS;
  let rows: string[] = [];
  while (Date.now() < deadline) {
    rows = (await terminalText(page)).split('\n');
    const below = rows.slice(rows.lastIndexOf(marker) + 1);
    if (rows.includes(marker) && below.join('') === line && also(below)) return below;
    await page.waitForTimeout(50);
  }
  throw new Error(
    `the screen never showed ${JSON.stringify(line)} below ${marker}; it showed:\n${rows.join('\n')}`,
  );
}

/** Polls until `read()` returns `expected`, then asserts it (so a failure shows the last value). */
async function settlesTo(page: Page, read: () => Promise<string>, expected: string): Promise<void> {
  for (let waited = 0; (await read()) !== expected && waited < UI_TIMEOUT_MS; waited += 50)
    await page.waitForTimeout(50);
  assert.equal(await read(), expected);
}

async function moveTo(page: Page, index: number): Promise<void> {
  await page.keyboard.press('Home');
  for (let i = 0; i < index; i += 1) await page.keyboard.press('ArrowRight');
}

describe('the line editor with wrapped lines', () => {
  const web = useWebFixture();

  test('bc gets exactly the edited line and the screen shows no stray characters', async () => {
    const page = await web.newPage({ viewport: NARROW });
    await signIn(page, web.gateway);
    await startFromForm(page, 'bc');
    // Fill the screen so that every wrapped line below makes the terminal scroll.
    await page.keyboard.type('for(i=1;i<=80;i++)i');
    await page.keyboard.press('Enter');
    await waitForText(page, /^80$/m);

    let line = digitSum(100);
    await page.keyboard.type(line);
    const rows = await waitForLineAfter(page, '80', line);
    const cols = rows[0]?.length ?? 0;
    assert.ok(rows.length >= 3 && cols > 10, `the line wraps over several rows (${rows.length} of ${cols})`);

    // Insert in the middle of the second row.
    const middle = cols + 6;
    await moveTo(page, middle);
    await page.keyboard.type('500+');
    line = `${line.slice(0, middle)}500+${line.slice(middle)}`;
    await waitForLineAfter(page, '80', line);

    // Delete backwards across the first wrap: the last character of row 1 and the first of row 2.
    await moveTo(page, cols + 1);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    line = `${line.slice(0, cols - 1)}${line.slice(cols + 1)}`;
    await waitForLineAfter(page, '80', line);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const answer = String(sum(line));
    await waitForText(page, new RegExp(`^${answer}$`, 'm'));
    const echoed = (await terminalText(page)).split('\n');
    const from = echoed.lastIndexOf('80') + 1;
    assert.equal(echoed.slice(from, echoed.lastIndexOf(answer)).join(''), line, 'the echo is the line');

    // History: a short line after the long one; recalling one over the other leaves nothing behind.
    await page.keyboard.type('6*7');
    await page.keyboard.press('Enter');
    await waitForText(page, /^42$/m);
    const draft = digitSum(90, 5);
    await page.keyboard.type(draft);
    await waitForLineAfter(page, '42', draft);
    await page.keyboard.press('ArrowUp');
    await waitForLineAfter(page, '42', '6*7');
    await page.keyboard.press('ArrowUp');
    await waitForLineAfter(page, '42', line);
    await page.keyboard.press('ArrowDown');
    await waitForLineAfter(page, '42', '6*7');
    await page.keyboard.press('ArrowDown');
    await waitForLineAfter(page, '42', draft);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await waitForLineAfter(page, '42', line);

    // A narrower window while the long line is being edited: it is drawn again at the new width.
    await page.setViewportSize({ width: 280, height: 600 });
    const narrower = await waitForLineAfter(page, '42', line, (below) => (below[0]?.length ?? 0) < cols);
    await moveTo(page, 4);
    await page.keyboard.type('9+');
    line = `${line.slice(0, 4)}9+${line.slice(4)}`;
    await waitForLineAfter(page, '42', line, (below) => below[0]?.length === narrower[0]?.length);
    await saveScreenshot(page, 'line-editor-wrapped');
    await page.keyboard.press('Enter');
    await waitForText(page, new RegExp(`^${sum(line)}$`, 'm'));

    await page.getByTestId('send-eof').click();
    await waitForText(page, /exited with code 0/);
  });

  test('output arriving while a wrapped line is edited goes above it and leaves it whole', async () => {
    const page = await web.newPage({ viewport: NARROW });
    await signIn(page, web.gateway);
    await startFromForm(
      page,
      'sh',
      // A full screen first, so that the wrapped line scrolls the terminal.
      `'seq 1 60; (i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.3; done) & t=$!; while read -r l; do echo "got:$l"; done; kill $t'`,
    );
    await waitForText(page, /^60\ntick1$/m);
    let line = Array.from({ length: 120 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    await page.keyboard.type(line, { delay: 15 });
    await moveTo(page, 50);
    await page.keyboard.type('MIDDLE', { delay: 40 });
    await page.keyboard.press('Backspace');
    line = `${line.slice(0, 50)}MIDDL${line.slice(50)}`;
    // Everything that is not a tick (or a number from before) is the line being edited, whole.
    const editing = async (): Promise<string> =>
      (await terminalText(page))
        .split('\n')
        .filter((row) => !/^(tick)?\d+$/.test(row))
        .join('');
    await settlesTo(page, editing, line);
    const lastTick = async (): Promise<number> =>
      Math.max(0, ...[...(await terminalText(page)).matchAll(/^tick(\d+)$/gm)].map((m) => Number(m[1])));
    const ticks = await lastTick();
    // A tick every 0.3 s: wait for the next rather than for a fixed time.
    for (let attempt = 0; attempt < 150 && (await lastTick()) <= ticks; attempt += 1) {
      await page.waitForTimeout(100);
    }
    await settlesTo(page, editing, line);
    assert.ok((await lastTick()) > ticks, 'output arrived during the edit');

    await page.keyboard.press('Enter');
    await waitForText(page, /^got:/m);
    await settlesTo(page, editing, `${line}got:${line}`);

    await page.getByTestId('send-eof').click();
    await waitForText(page, /exited with code 0/);
  });
});
