// A real headless Chromium for end-to-end tests: the system's when it has one, else the one the
// project's own install brings along (@sparticuz/chromium unpacks it into /tmp on first use).
import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import sparticuz from '@sparticuz/chromium';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

const UNPACK_LOCK = join(tmpdir(), 'shellgate-chromium-unpack.lock');
const LOCK_STALE_MS = 120_000;

/**
 * Test files run in parallel processes; on a fresh machine two of them would unpack Chromium into
 * the same /tmp path at once and one could launch a half-written binary. A lock directory
 * (mkdir is atomic) makes the first unpack and the others wait.
 */
async function unpackOnce(): Promise<string> {
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      await mkdir(UNPACK_LOCK);
      break;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      const age = Date.now() - (await stat(UNPACK_LOCK).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > LOCK_STALE_MS || Date.now() > deadline)
        await rm(UNPACK_LOCK, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    return await sparticuz.executablePath();
  } finally {
    await rm(UNPACK_LOCK, { recursive: true, force: true });
  }
}

export async function chromiumPath(): Promise<string> {
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  return unpackOnce();
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), headless: true, args: FLAGS });
}

/** Saves `test-artifacts/screenshots/<name>.png` (gitignored) for a person to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
