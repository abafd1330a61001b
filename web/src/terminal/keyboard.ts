// Keys the page takes before xterm.js sees them: copy, paste, find, font size, and the key that
// lets Tab leave the terminal. Everything else goes to the terminal (and so to the process),
// including Ctrl-C when nothing is selected and — by default, as in Linux terminals — Ctrl-V.
import type { Terminal } from '@xterm/xterm';
import { FONT_SIZE, settings, updateSettings } from './settings.js';

export interface KeyboardActions {
  openSearch(): void;
  /** Says something to screen readers (and shows it briefly). */
  announce(text: string): void;
}

export function installKeyboard(term: Terminal, actions: KeyboardActions): void {
  // Ctrl+M toggles it, as in VS Code's terminal: Tab moves the focus instead of completing.
  let tabMovesFocus = false;
  term.attachCustomKeyEventHandler((event) => {
    const ctrl = (event.ctrlKey || event.metaKey) && !event.altKey;
    const key = event.key.toLowerCase();
    const down = event.type === 'keydown';
    // Returning false leaves the key to the browser: its copy and paste events reach xterm's own
    // clipboard handlers, which work with and without the async clipboard API.
    if (ctrl && key === 'c' && (event.shiftKey || term.hasSelection())) return false;
    if (ctrl && key === 'v' && (event.shiftKey || settings().pasteKey === 'ctrl-v')) return false;
    if (event.shiftKey && event.key === 'Insert') return false;
    if (ctrl && event.shiftKey && key === 'f') {
      if (down) {
        event.preventDefault();
        actions.openSearch();
      }
      return false;
    }
    if (ctrl && !event.shiftKey && key === 'm') {
      if (down) {
        event.preventDefault();
        tabMovesFocus = !tabMovesFocus;
        actions.announce(
          tabMovesFocus
            ? 'Tab moves the focus out of the terminal. Ctrl+M: Tab goes to the terminal again.'
            : 'Tab goes to the terminal. Ctrl+M: Tab moves the focus.',
        );
      }
      return false;
    }
    if (tabMovesFocus && event.key === 'Tab' && !event.ctrlKey && !event.altKey && !event.metaKey)
      return false;
    const size = fontSizeFor(event, ctrl);
    if (size !== null) {
      if (down) {
        event.preventDefault();
        updateSettings({ fontSize: size });
        actions.announce(`Font size ${settings().fontSize}`);
      }
      return false;
    }
    return true;
  });
}

/** Ctrl+= / Ctrl++ larger, Ctrl+- smaller, Ctrl+0 the default; null for any other key. */
function fontSizeFor(event: KeyboardEvent, ctrl: boolean): number | null {
  if (!ctrl) return null;
  const current = settings().fontSize;
  switch (event.key) {
    case '=':
    case '+':
      return current + 1;
    case '-':
    case '_':
      return current - 1;
    case '0':
      return FONT_SIZE.default;
    default:
      return null;
  }
}
