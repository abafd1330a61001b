// One xterm.js terminal with its addons, sized to its container and themed with the page.
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import type { SessionMode } from '@shellgate/shared';
import { DisposableStore } from '../disposables.js';
import type { Disposable } from '../disposables.js';
import { currentTheme, onThemeChange } from '../theme.js';
import { onSettingsChange, settings } from './settings.js';
import { terminalTheme } from './themes.js';

export const FONT_FAMILY =
  "ui-monospace, 'SF Mono', 'Cascadia Mono', 'JetBrains Mono', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

export interface TerminalSetup extends Disposable {
  readonly term: Terminal;
  readonly fit: FitAddon;
  readonly search: SearchAddon;
}

export function createTerminal(
  container: HTMLElement,
  options: { mode: SessionMode; readOnly: boolean },
): TerminalSetup {
  const store = new DisposableStore();
  const term = store.add(
    new Terminal({
      // Pipe output has bare \n: there is no terminal driver to turn it into \r\n.
      convertEol: options.mode === 'pipe',
      disableStdin: options.readOnly,
      cursorBlink: !options.readOnly,
      cursorStyle: options.readOnly ? 'underline' : 'block',
      cursorInactiveStyle: 'outline',
      fontFamily: FONT_FAMILY,
      fontSize: settings().fontSize,
      screenReaderMode: settings().screenReader,
      lineHeight: 1.15,
      scrollback: 10_000,
      rightClickSelectsWord: true,
      // The search addon highlights every match with decorations, a "proposed" API.
      allowProposedApi: true,
      theme: terminalTheme(currentTheme()),
    }),
  );
  const fit = new FitAddon();
  const search = new SearchAddon();
  term.loadAddon(fit);
  term.loadAddon(search);
  term.loadAddon(
    new WebLinksAddon((event, uri) => {
      event.preventDefault();
      // Ctrl/Cmd-click opens, as docs/web.md says: a plain click is for selecting and focusing.
      if (!event.ctrlKey && !event.metaKey) return;
      // noopener: the opened page must not get a handle on this one.
      window.open(uri, '_blank', 'noopener,noreferrer');
    }),
  );
  term.open(container);
  store.add(
    onThemeChange((theme) => {
      term.options.theme = terminalTheme(theme);
    }),
  );
  store.add(
    onSettingsChange((next) => {
      term.options.fontSize = next.fontSize;
      term.options.screenReaderMode = next.screenReader;
    }),
  );
  store.add(
    term.onSelectionChange(() => {
      if (!settings().copyOnSelect || !term.hasSelection()) return;
      // Only in secure contexts (https, localhost); elsewhere the keys and the menu still copy.
      navigator.clipboard?.writeText(term.getSelection()).catch(() => undefined);
    }),
  );
  return { term, fit, search, dispose: () => store.dispose() };
}
