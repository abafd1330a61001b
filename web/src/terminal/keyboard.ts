// Keys the page takes before xterm.js sees them: copy, paste and find. Everything else goes to the
// terminal (and so to the process), including Ctrl-C when nothing is selected.
import type { Terminal } from '@xterm/xterm';

export interface KeyboardActions {
  openSearch(): void;
}

export function installKeyboard(term: Terminal, actions: KeyboardActions): void {
  term.attachCustomKeyEventHandler((event) => {
    const ctrl = event.ctrlKey && !event.altKey && !event.metaKey;
    const key = event.key.toLowerCase();
    // Returning false leaves the key to the browser: its copy and paste events reach xterm's own
    // clipboard handlers, which work with and without the async clipboard API.
    if (ctrl && key === 'c' && (event.shiftKey || term.hasSelection())) return false;
    if (ctrl && key === 'v') return false;
    if (event.shiftKey && event.key === 'Insert') return false;
    if (ctrl && event.shiftKey && key === 'f') {
      if (event.type === 'keydown') {
        event.preventDefault();
        actions.openSearch();
      }
      return false;
    }
    return true;
  });
}
