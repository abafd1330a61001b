// The terminal's settings, from the toolbar: a disclosure (`<details>`), so it opens and closes
// with the keyboard, and every control in it is a labelled native one.
import { DisposableStore, listen } from './disposables.js';
import type { Disposable } from './disposables.js';
import { h } from './dom.js';
import { FONT_SIZE, onSettingsChange, settings, updateSettings } from './terminal/settings.js';
import type { ExtraKeys, PasteKey } from './terminal/settings.js';

export class SettingsPanel implements Disposable {
  readonly element: HTMLDetailsElement;
  readonly #store = new DisposableStore();

  constructor() {
    const fontSize = h('input', {
      type: 'number',
      min: String(FONT_SIZE.min),
      max: String(FONT_SIZE.max),
      step: '1',
      id: 'setting-font-size',
      'data-testid': 'setting-font-size',
    });
    const screenReader = h('input', {
      type: 'checkbox',
      id: 'setting-screen-reader',
      'data-testid': 'setting-screen-reader',
    });
    const copyOnSelect = h('input', {
      type: 'checkbox',
      id: 'setting-copy-on-select',
      'data-testid': 'setting-copy-on-select',
    });
    const pasteKey = h(
      'select',
      { id: 'setting-paste-key', 'data-testid': 'setting-paste-key' },
      h('option', { value: 'ctrl-shift-v' }, 'Ctrl+Shift+V'),
      h('option', { value: 'ctrl-v' }, 'Ctrl+V too'),
    );
    const extraKeys = h(
      'select',
      { id: 'setting-extra-keys', 'data-testid': 'setting-extra-keys' },
      h('option', { value: 'auto' }, 'on touch screens'),
      h('option', { value: 'always' }, 'always'),
      h('option', { value: 'never' }, 'never'),
    );
    const row = (control: HTMLElement, label: string): HTMLElement =>
      h('div', { class: 'setting' }, h('label', { for: control.id }, label), control);
    const fill = (): void => {
      const current = settings();
      fontSize.value = String(current.fontSize);
      screenReader.checked = current.screenReader;
      copyOnSelect.checked = current.copyOnSelect;
      pasteKey.value = current.pasteKey;
      extraKeys.value = current.extraKeys;
    };
    fill();
    this.element = h(
      'details',
      { class: 'settings', 'data-testid': 'settings' },
      h('summary', { class: 'button ghost', 'data-testid': 'open-settings' }, 'Settings'),
      h(
        'div',
        { class: 'settings-panel', role: 'group', 'aria-label': 'Terminal settings' },
        row(fontSize, 'Font size (Ctrl+= / Ctrl+- / Ctrl+0)'),
        row(screenReader, 'Screen reader mode'),
        row(copyOnSelect, 'Copy on select'),
        row(pasteKey, 'Paste with (otherwise Ctrl+V goes to the program)'),
        row(extraKeys, 'Extra keys (Esc, Tab, Ctrl, Alt, arrows, |, ~)'),
        h(
          'p',
          { class: 'muted setting-note' },
          'Ctrl+M switches Tab between the terminal and moving the focus (to leave the terminal by keyboard).',
        ),
      ),
    );
    this.#store.add(onSettingsChange(fill));
    this.#store.add(
      listen(fontSize, 'change', () => {
        const value = Number(fontSize.value);
        if (Number.isFinite(value)) updateSettings({ fontSize: value });
      }),
    );
    this.#store.add(
      listen(screenReader, 'change', () => updateSettings({ screenReader: screenReader.checked })),
    );
    this.#store.add(
      listen(copyOnSelect, 'change', () => updateSettings({ copyOnSelect: copyOnSelect.checked })),
    );
    this.#store.add(
      listen(pasteKey, 'change', () => {
        const value: PasteKey = pasteKey.value === 'ctrl-v' ? 'ctrl-v' : 'ctrl-shift-v';
        updateSettings({ pasteKey: value });
      }),
    );
    this.#store.add(
      listen(extraKeys, 'change', () => {
        const value: ExtraKeys =
          extraKeys.value === 'always' || extraKeys.value === 'never' ? extraKeys.value : 'auto';
        updateSettings({ extraKeys: value });
      }),
    );
  }

  dispose(): void {
    this.#store.dispose();
  }
}
