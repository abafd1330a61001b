// Boot: theme, sign-in (from the start-up URL's `#token=` or the cookie), then hash routing.
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import type { Identity } from '@shellgate/shared';
import { ApiError, api, onUnauthorized } from './api.js';
import { authView, describeLoginError } from './auth-view.js';
import { h, replaceChildren } from './dom.js';
import { header } from './header.js';
import { parseRoute, takeTokenFromHash } from './router.js';
import { sessionView } from './session-view.js';
import { sessionsView } from './sessions-view.js';
import { initTheme } from './theme.js';
import type { AppContext, View } from './view.js';

const root = document.getElementById('app') ?? document.body;
let identity: Identity | null = null;
let views: View[] = [];
/** Where to go after signing in again. */
let returnTo = '#/';

function mount(...next: View[]): void {
  for (const view of views) view.dispose();
  views = next;
  replaceChildren(root, ...next.map((v) => v.element));
  next.at(-1)?.focus?.();
}

function showSignIn(notice = ''): void {
  identity = null;
  mount(header(null, signOut), authView(signedIn, notice));
}

function signedIn(who: Identity): void {
  identity = who;
  const target = returnTo;
  returnTo = '#/';
  if (location.hash === target) route();
  else location.hash = target;
}

function signOut(): void {
  api.logout().then(
    () => showSignIn('Signed out.'),
    () => showSignIn('Signed out.'),
  );
}

function route(): void {
  const current = parseRoute(location.hash);
  if (identity === null) {
    if (current.name !== 'signin') returnTo = location.hash || '#/';
    showSignIn();
    return;
  }
  const ctx: AppContext = {
    identity,
    navigate: (hash) => {
      if (hash === '#/signin') {
        returnTo = location.hash;
        showSignIn('Your sign-in has ended; sign in again to continue.');
      } else location.hash = hash;
    },
  };
  const bar = header(identity, signOut, () => views.at(-1)?.keyboardHome?.());
  switch (current.name) {
    case 'sessions':
      document.title = 'shellgate';
      mount(bar, sessionsView(ctx));
      return;
    case 'session':
      document.title = `${current.role === 'view' ? 'watching' : 'session'} · shellgate`;
      mount(bar, sessionView(ctx, current.id, current.role));
      return;
    case 'signin':
      location.hash = '#/';
      return;
    case 'not-found':
      mount(bar, {
        element: h(
          'main',
          { class: 'sessions-page' },
          h('p', {}, 'Nothing here. '),
          h('a', { href: '#/' }, 'Back to sessions'),
        ),
        dispose: () => undefined,
      });
      return;
    default: {
      const check: never = current;
      return check;
    }
  }
}

/** Signs in with a token from the address bar; the page keeps nothing of it. */
async function signInWith(token: string): Promise<void> {
  let who: Identity;
  try {
    who = await api.login(token);
  } catch (error) {
    showSignIn(describeLoginError(error));
    return;
  }
  signedIn(who);
}

async function boot(): Promise<void> {
  initTheme();
  onUnauthorized(() => {
    if (identity === null) return;
    returnTo = location.hash || '#/';
    showSignIn('Your sign-in has ended; sign in again to continue.');
  });
  window.addEventListener('hashchange', () => {
    // A start-up URL pasted into this open tab (every gateway start prints a new token).
    const pasted = takeTokenFromHash();
    if (pasted === null) route();
    else void signInWith(pasted);
  });
  const token = takeTokenFromHash();
  if (token !== null) {
    await signInWith(token);
    return;
  }
  try {
    identity = await api.whoami();
  } catch (error) {
    showSignIn(
      error instanceof ApiError && error.status === 401
        ? ''
        : `Cannot reach the gateway: ${describeLoginError(error)}`,
    );
    return;
  }
  route();
}

void boot();
