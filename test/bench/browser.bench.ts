// The web terminal in headless Chromium against a real gateway:
// - bundle size (gzip) of what the gateway serves;
// - time to first usable terminal (navigation → attached → an answer from `bc` on screen);
// - bytes per second rendered during a `yes` flood, against a Node WebSocket client that acks
//   everything at once (the baseline: what the gateway can push through this machine right now);
// - Ctrl-C during that flood → exit shown in the status bar, and → the exit line in the terminal.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FrameType, SUBPROTOCOL, streamUrl } from '@shellgate/shared';
import WebSocket from 'ws';
import { launchBrowser } from '../helpers/browser.ts';
import { startGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../helpers/gateway.ts';
import { api, getNumber } from '../helpers/http.ts';
import { createSession, signIn, waitForTerminal, waitForText } from '../helpers/web.ts';
import { median } from './stats.ts';
import type { Page } from 'playwright-core';

const FLOOD_SECONDS = 4;
const REPEATS = 5;
const FLOOD = ["yes 'shellgate flood: the quick brown fox jumps over the lazy dog 0123456789'"];

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB/s`;
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

function bundleSizes(): void {
  const dist = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  const files = ['index.html', ...readdirSync(join(dist, 'assets')).map((name) => join('assets', name))];
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(join(dist, file));
    const zipped = gzipSync(bytes, { level: 9 }).byteLength;
    raw += bytes.byteLength;
    gzip += zipped;
    console.log(`  ${file.padEnd(36)} ${kb(bytes.byteLength).padStart(9)}  gzip ${kb(zipped).padStart(8)}`);
  }
  console.log(`bundle: ${kb(raw)}, gzip ${kb(gzip)}`);
}

async function outputBytes(gateway: Gateway, id: string): Promise<number> {
  const response = await api(gateway.url, 'GET', `/api/sessions/${id}`, { token: gateway.operatorToken });
  return getNumber(response.body, 'session', 'outputBytes');
}

async function terminate(gateway: Gateway, id: string): Promise<void> {
  await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: gateway.operatorToken });
}

/** Baseline: a Node client that acks every frame on arrival and renders nothing. */
async function baselineRate(gateway: Gateway): Promise<number> {
  const id = await createSession(gateway, 'sh', FLOOD);
  const ws = new WebSocket(streamUrl(`http://127.0.0.1:${gateway.port}`, id, { offset: 0 }), [SUBPROTOCOL], {
    headers: { authorization: `Bearer ${gateway.operatorToken}` },
    perMessageDeflate: false,
  });
  let position = 0;
  let received = 0;
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) {
      const text = data.toString('utf8');
      const hello = /"type":"hello".*"offset":(\d+)/.exec(text);
      if (hello?.[1] !== undefined) position = Number(hello[1]);
      return;
    }
    if (data[0] !== FrameType.Stdout && data[0] !== FrameType.Stderr) return;
    position += data.byteLength - 1;
    received += data.byteLength - 1;
    ws.send(JSON.stringify({ type: 'ack', offset: position }));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await sleep(1000);
  const start = received;
  const started = performance.now();
  await sleep(FLOOD_SECONDS * 1000);
  const rate = ((received - start) / (performance.now() - started)) * 1000;
  ws.close();
  await terminate(gateway, id);
  return rate;
}

async function timeToUsableTerminal(
  page: Page,
  gateway: Gateway,
): Promise<{ attached: number; usable: number; mark: number }> {
  const id = await createSession(gateway, 'bc');
  await page.goto('about:blank');
  const started = performance.now();
  await page.goto(`${gateway.url}/#/sessions/${id}`);
  await waitForTerminal(page);
  const attached = performance.now() - started;
  await page.keyboard.type('6*7');
  await page.keyboard.press('Enter');
  await waitForText(page, /^42$/m);
  const usable = performance.now() - started;
  const mark = await page.evaluate(
    () => performance.getEntriesByName('shellgate:terminal-ready')[0]?.startTime ?? Number.NaN,
  );
  await terminate(gateway, id);
  return { attached, usable, mark };
}

async function floodInBrowser(
  page: Page,
  gateway: Gateway,
  stopWith: 'ctrl-c' | 'toolbar',
): Promise<{ rate: number; status: number; screen: number }> {
  const id = await createSession(gateway, 'sh', FLOOD);
  await page.goto(`${gateway.url}/#/sessions/${id}`);
  await waitForTerminal(page);
  await waitForText(page, /shellgate flood/);
  await page.waitForTimeout(1000);
  const before = await outputBytes(gateway, id);
  const started = performance.now();
  await page.waitForTimeout(FLOOD_SECONDS * 1000);
  const rate = ((await outputBytes(gateway, id)) - before) / ((performance.now() - started) / 1000);

  // Both by keyboard, so that the figure is the page's, not the automation's click checks.
  if (stopWith === 'toolbar') {
    await page.getByTestId('signal-select').selectOption('SIGINT');
    await page.getByTestId('send-signal').focus();
  } else {
    await page.locator('[data-testid="terminal"]').click();
  }
  const pressed = performance.now();
  await page.keyboard.press(stopWith === 'toolbar' ? 'Enter' : 'Control+C');
  await page.locator('[data-testid="session-state"][data-state="exited"]').waitFor({ timeout: 30_000 });
  const status = performance.now() - pressed;
  await waitForText(page, /killed by SIGINT/, 30_000);
  const screen = performance.now() - pressed;
  await terminate(gateway, id);
  return { rate, status, screen };
}

async function main(): Promise<void> {
  bundleSizes();
  const [gateway, browser] = await Promise.all([startGateway(), launchBrowser()]);
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await signIn(page, gateway);

    const startup = [];
    for (let i = 0; i < REPEATS; i += 1) startup.push(await timeToUsableTerminal(page, gateway));
    console.log(
      `time to first usable terminal (median of ${REPEATS}): attached ${median(startup.map((s) => s.attached)).toFixed(0)} ms` +
        ` (page mark ${median(startup.map((s) => s.mark)).toFixed(0)} ms), first answer on screen ${median(startup.map((s) => s.usable)).toFixed(0)} ms`,
    );

    const baseline = await baselineRate(gateway);
    console.log(`flood, Node client acking on arrival (baseline): ${mib(baseline)}`);
    const runs = [];
    for (let i = 0; i < 3; i += 1) runs.push(await floodInBrowser(page, gateway, 'ctrl-c'));
    const toolbar = await floodInBrowser(page, gateway, 'toolbar');
    const rate = median(runs.map((r) => r.rate));
    console.log(
      `flood rendered by xterm.js in Chromium: ${mib(rate)} (${(rate / baseline).toFixed(2)}× baseline)`,
    );
    console.log(
      `Ctrl-C during the flood → exit in the status bar: median ${median(runs.map((r) => r.status)).toFixed(0)} ms` +
        ` [${runs.map((r) => r.status.toFixed(0)).join(', ')}]; → exit line in the terminal: median ${median(runs.map((r) => r.screen)).toFixed(0)} ms (target < 300 ms)`,
    );
    console.log(
      `toolbar SIGINT (Enter on Send) during the flood → status ${toolbar.status.toFixed(0)} ms, terminal ${toolbar.screen.toFixed(0)} ms`,
    );
    await context.close();
  } finally {
    await browser.close();
    await gateway.stop();
  }
}

await main();
