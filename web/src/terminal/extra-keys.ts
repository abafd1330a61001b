// A row of the keys a phone's keyboard lacks (Esc, Tab, Ctrl, Alt, arrows, |, ~), as ttyd and WeTTY
// users have asked for. Ctrl and Alt latch for the next key, from this row or the phone's own
// keyboard. The buttons never take the focus from the terminal, so the phone's keyboard stays up.
import type { Terminal } from '@xterm/xterm';
import { DisposableStore, listen, toDisposable } from '../disposables.js';
import type { Disposable } from '../disposables.js';
import { h } from '../dom.js';
import { onSettingsChange, settings } from './settings.js';

const KEYS: ReadonlyArray<{ label: string; name: string; data: string }> = [
  { label: 'Esc', name: 'Escape', data: '\x1b' },
  { label: 'Tab', name: 'Tab', data: '\t' },
  { label: '←', name: 'Left', data: '\x1b[D' },
  { label: '↑', name: 'Up', data: '\x1b[A' },
  { label: '↓', name: 'Down', data: '\x1b[B' },
  { label: '→', name: 'Right', data: '\x1b[C' },
  { label: '|', name: 'Pipe', data: '|' },
  { label: '~', name: 'Tilde', data: '~' },
];

export class ExtraKeys implements Disposable {
  readonly element: HTMLElement;
  readonly #store = new DisposableStore();
  readonly #ctrl: HTMLButtonElement;
  readonly #alt: HTMLButtonElement;
  readonly #coarse = window.matchMedia('(pointer: coarse)');

  constructor(private readonly term: Terminal) {
    this.#ctrl = this.#modifier('Ctrl');
    this.#alt = this.#modifier('Alt');
    const buttons = KEYS.map(({ label, name, data }) => {
      const button = h('button', { type: 'button', class: 'extra-key', 'aria-label': name }, label);
      this.#store.add(listen(button, 'click', () => this.send(data)));
      return button;
    });
    const [escape, tab, ...rest] = buttons;
    this.element = h(
      'div',
      { class: 'extra-keys', role: 'toolbar', 'aria-label': 'Extra keys', 'data-testid': 'extra-keys' },
      ...[escape, tab].filter((b) => b !== undefined),
      this.#ctrl,
      this.#alt,
      ...rest,
    );
    // Keep the focus (and the phone's keyboard) in the terminal.
    this.#store.add(listen(this.element, 'mousedown', (event) => event.preventDefault()));
    this.#store.add(onSettingsChange(() => this.#show()));
    const media = (): void => this.#show();
    this.#coarse.addEventListener('change', media);
    this.#store.add(toDisposable(() => this.#coarse.removeEventListener('change', media)));
    this.#show();
  }

  /** Applies latched Ctrl / Alt to what is typed next; returns what the terminal should send. */
  transform(data: string): string {
    let out = data;
    if (this.#latched(this.#ctrl) && out.length === 1) {
      const code = out.toUpperCase().charCodeAt(0);
      // Ctrl turns @, A–Z, [, \, ], ^, _ into 0x00–0x1f, as a keyboard's Ctrl does.
      if (code >= 0x40 && code <= 0x5f) out = String.fromCharCode(code - 0x40);
      else if (out === '?') out = '\x7f';
    }
    if (this.#latched(this.#alt)) out = `\x1b${out}`;
    this.#release();
    return out;
  }

  /** Sends `data` as if typed (through the terminal's own input path), then refocuses it. */
  send(data: string): void {
    this.term.input(data, true);
    this.term.focus();
  }

  dispose(): void {
    this.#store.dispose();
  }

  #modifier(label: string): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'extra-key', 'aria-pressed': 'false' }, label);
    this.#store.add(
      listen(button, 'click', () => {
        button.setAttribute('aria-pressed', String(!this.#latched(button)));
        this.term.focus();
      }),
    );
    return button;
  }

  #latched(button: HTMLButtonElement): boolean {
    return button.getAttribute('aria-pressed') === 'true';
  }

  #release(): void {
    this.#ctrl.setAttribute('aria-pressed', 'false');
    this.#alt.setAttribute('aria-pressed', 'false');
  }

  #show(): void {
    const choice = settings().extraKeys;
    this.element.hidden = choice === 'never' || (choice === 'auto' && !this.#coarse.matches);
  }
}
