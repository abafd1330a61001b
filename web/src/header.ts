// The app bar: who is signed in, the theme toggle, sign out.
import type { Identity } from '@shellgate/shared';
import { DisposableStore, listen } from './disposables.js';
import { h } from './dom.js';
import { cycleTheme, themeChoice } from './theme.js';
import type { ThemeChoice } from './theme.js';
import type { View } from './view.js';

const THEME_LABELS: Record<ThemeChoice, string> = {
  system: 'Theme: system',
  light: 'Theme: light',
  dark: 'Theme: dark',
};

/** `afterTheme`: where the keyboard goes after the theme changed (back to a terminal, if any). */
export function header(identity: Identity | null, onSignOut: () => void, afterTheme?: () => void): View {
  const store = new DisposableStore();
  const theme = h(
    'button',
    {
      type: 'button',
      class: 'ghost',
      'data-testid': 'theme-toggle',
      title: 'Switch between system, light and dark',
    },
    THEME_LABELS[themeChoice()],
  );
  store.add(
    listen(theme, 'click', () => {
      theme.textContent = THEME_LABELS[cycleTheme()];
      afterTheme?.();
    }),
  );
  const right = h('div', { class: 'header-right' }, theme);
  if (identity !== null) {
    const signOut = h('button', { type: 'button', class: 'ghost', 'data-testid': 'sign-out' }, 'Sign out');
    store.add(listen(signOut, 'click', onSignOut));
    right.prepend(
      h(
        'span',
        { class: 'identity', 'data-testid': 'identity' },
        identity.name,
        ' ',
        h('span', { class: `badge role-${identity.role}` }, identity.role),
      ),
    );
    right.prepend(
      h('a', { href: '#/recordings', class: 'button ghost', 'data-testid': 'recordings-link' }, 'Recordings'),
    );
    right.append(signOut);
  }
  const element = h(
    'header',
    { class: 'app-header' },
    h(
      'a',
      { href: '#/', class: 'brand', 'aria-label': 'shellgate: sessions' },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '›_'),
      'shellgate',
    ),
    right,
  );
  return { element, dispose: () => store.dispose() };
}
