// Page-level steps the end-to-end tests share: a gateway and a browser per file, sign in, start or
// open a session, read the terminal.
import { after, before } from 'node:test';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchBrowser } from './browser.ts';
import { startGateway } from './gateway.ts';
import type { Gateway, StartGatewayOptions } from './gateway.ts';
import { createSession as createSessionInfo } from './sessions.ts';

export const UI_TIMEOUT_MS = 10_000;
const DEFAULT_VIEWPORT = { width: 1100, height: 700 };

/** One test file's real gateway and headless Chromium; `close()` ends both and every page. */
export interface WebFixture {
  readonly gateway: Gateway;
  readonly browser: Browser;
  /** A page in a context of its own (1100×700 unless `options` say otherwise). */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

export async function startWebFixture(options: StartGatewayOptions = {}): Promise<WebFixture> {
  const [started, launched] = await Promise.allSettled([startGateway(options), launchBrowser()]);
  // Whichever did start must not outlive the other's failure.
  if (started.status === 'rejected') {
    if (launched.status === 'fulfilled') await launched.value.close();
    throw started.reason;
  }
  if (launched.status === 'rejected') {
    await started.value.stop();
    throw launched.reason;
  }
  const gateway = started.value;
  const browser = launched.value;
  const contexts: BrowserContext[] = [];
  return {
    gateway,
    browser,
    async newPage(contextOptions = {}) {
      const context = await browser.newContext({ viewport: DEFAULT_VIEWPORT, ...contextOptions });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      try {
        await Promise.all(contexts.map((context) => context.close()));
        await browser.close();
      } finally {
        await gateway.stop();
      }
    },
  };
}

/**
 * For a `describe` block: starts the fixture before its tests and closes it after them. The
 * properties can be read once the tests run.
 */
export function useWebFixture(options: StartGatewayOptions = {}): WebFixture {
  let fixture: WebFixture | undefined;
  before(async () => {
    fixture = await startWebFixture(options);
  });
  after(async () => {
    await fixture?.close();
  });
  const started = (): WebFixture => {
    if (fixture === undefined) throw new Error('the web fixture is used before it has started');
    return fixture;
  };
  return {
    get gateway() {
      return started().gateway;
    },
    get browser() {
      return started().browser;
    },
    newPage: (contextOptions) => started().newPage(contextOptions),
    close: () => started().close(),
  };
}

/** Opens the start-up URL the gateway prints (`/#token=…`) and waits for the session list. */
export async function signIn(
  page: Page,
  gateway: Gateway,
  token = gateway.operatorToken,
  base = gateway.url,
): Promise<void> {
  await page.goto(`${base}/#token=${encodeURIComponent(token)}`);
  await page.getByTestId('sessions-view').waitFor({ timeout: UI_TIMEOUT_MS });
}

/** Starts a session from the form and waits until its terminal is attached. Returns its id. */
export async function startFromForm(page: Page, profile: string, args?: string): Promise<string> {
  await page.getByTestId('profile-select').selectOption(profile);
  if (args !== undefined) await page.getByTestId('args-input').fill(args);
  await page.getByTestId('start-session').click();
  await waitForTerminal(page);
  const match = /#\/sessions\/([^/]+)/.exec(page.url());
  if (match?.[1] === undefined) throw new Error(`not on a session page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

export async function waitForTerminal(page: Page): Promise<void> {
  try {
    await page.locator('[data-testid="terminal"][data-ready="true"]').waitFor({ timeout: UI_TIMEOUT_MS });
  } catch (error) {
    // Say what the page showed instead: the URL, the connection, any error it displayed.
    const state = await page.evaluate(() =>
      ['terminal', 'connection-state', 'error-banner', 'sessions-error', 'signin-error']
        .map((id) => {
          const element = document.querySelector(`[data-testid="${id}"]`);
          if (element === null) return `${id}: absent`;
          const ready = element.getAttribute('data-ready') ?? '';
          return `${id}: ${ready === '' ? '' : `ready=${ready} `}${element.getAttribute('title') ?? ''} ${element.textContent ?? ''}`;
        })
        .join('\n'),
    );
    throw new Error(`no attached terminal at ${page.url()}:\n${state}`, { cause: error });
  }
}

/** The terminal's visible rows as text, one line per row, trailing blanks trimmed. */
export async function terminalText(page: Page): Promise<string> {
  const rows = await page.locator('[data-testid="terminal"] .xterm-rows > div').allInnerTexts();
  return rows
    .map((row) => row.replace(/\u00a0/g, ' ').trimEnd())
    .join('\n')
    .trimEnd();
}

/** Polls the terminal until `pattern` matches; fails with what the terminal showed. */
export async function waitForText(page: Page, pattern: RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(50);
  }
  throw new Error(`terminal never showed ${String(pattern)}; it showed:\n${text}`);
}

/** Creates a session over HTTP with the operator's token (the page's login sees it too); its id. */
export async function createSession(gateway: Gateway, profile: string, args?: string[]): Promise<string> {
  return (await createSessionInfo(gateway, profile, args)).id;
}

/** Terminate from the toolbar: the button asks "Really terminate?" and the second click acts. */
export async function terminateFromToolbar(page: Page): Promise<void> {
  const button = page.getByTestId('terminate');
  await button.click();
  await page.locator('[data-testid="terminate"][data-confirm="pending"]').waitFor({ timeout: UI_TIMEOUT_MS });
  await button.click();
}
