// Light and dark: follow the system by default, or what the operator picked (kept in localStorage).
import type { Disposable } from './disposables.js';
import { toDisposable } from './disposables.js';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'shellgate.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set<(theme: Theme) => void>();

function storedChoice(): ThemeChoice {
  const value = localStorage.getItem(STORAGE_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

let choice: ThemeChoice = storedChoice();

export function themeChoice(): ThemeChoice {
  return choice;
}

export function currentTheme(): Theme {
  if (choice !== 'system') return choice;
  return media.matches ? 'dark' : 'light';
}

function apply(): void {
  document.documentElement.dataset.theme = currentTheme();
  for (const listener of listeners) listener(currentTheme());
}

export function setThemeChoice(next: ThemeChoice): void {
  choice = next;
  if (next === 'system') localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, next);
  apply();
}

/** system → light → dark → system */
export function cycleTheme(): ThemeChoice {
  const next: ThemeChoice = choice === 'system' ? 'light' : choice === 'light' ? 'dark' : 'system';
  setThemeChoice(next);
  return next;
}

export function onThemeChange(listener: (theme: Theme) => void): Disposable {
  listeners.add(listener);
  return toDisposable(() => listeners.delete(listener));
}

export function initTheme(): void {
  media.addEventListener('change', apply);
  apply();
}
