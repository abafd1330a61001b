// The terminal's preferences, kept in localStorage and applied to every terminal on the page:
// font size, screen-reader mode, copy on select, which key pastes, and the phones' extra keys.
import type { Disposable } from '../disposables.js';
import { toDisposable } from '../disposables.js';

export type PasteKey = 'ctrl-shift-v' | 'ctrl-v';
export type ExtraKeys = 'auto' | 'always' | 'never';

export interface TerminalSettings {
  fontSize: number;
  screenReader: boolean;
  copyOnSelect: boolean;
  /** `ctrl-shift-v`: Ctrl+V goes to the program (^V), as Linux terminals do; `ctrl-v`: it pastes. */
  pasteKey: PasteKey;
  /** `auto`: on touch screens only. */
  extraKeys: ExtraKeys;
}

export const FONT_SIZE = { min: 8, max: 32, default: 14 } as const;
const STORAGE_KEY = 'shellgate.terminal';
const DEFAULTS: TerminalSettings = {
  fontSize: FONT_SIZE.default,
  screenReader: false,
  copyOnSelect: false,
  pasteKey: 'ctrl-shift-v',
  extraKeys: 'auto',
};

/** Whatever localStorage holds, read field by field: a bad or old value falls back to its default. */
function load(): TerminalSettings {
  let stored: unknown;
  try {
    stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
  } catch {
    stored = {};
  }
  const value = typeof stored === 'object' && stored !== null ? stored : {};
  const read = (key: string): unknown => (key in value ? Reflect.get(value, key) : undefined);
  const fontSize = read('fontSize');
  const pasteKey = read('pasteKey');
  const extraKeys = read('extraKeys');
  return {
    fontSize: typeof fontSize === 'number' ? clampFontSize(fontSize) : DEFAULTS.fontSize,
    screenReader: read('screenReader') === true,
    copyOnSelect: read('copyOnSelect') === true,
    pasteKey: pasteKey === 'ctrl-v' ? 'ctrl-v' : DEFAULTS.pasteKey,
    extraKeys: extraKeys === 'always' || extraKeys === 'never' ? extraKeys : DEFAULTS.extraKeys,
  };
}

export function clampFontSize(size: number): number {
  return Math.min(FONT_SIZE.max, Math.max(FONT_SIZE.min, Math.round(size)));
}

let current = load();
const listeners = new Set<(settings: TerminalSettings) => void>();

export function settings(): Readonly<TerminalSettings> {
  return current;
}

export function updateSettings(change: Partial<TerminalSettings>): void {
  current = { ...current, ...change, fontSize: clampFontSize(change.fontSize ?? current.fontSize) };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(current));
  for (const listener of listeners) listener(current);
}

export function onSettingsChange(listener: (settings: TerminalSettings) => void): Disposable {
  listeners.add(listener);
  return toDisposable(() => listeners.delete(listener));
}
