// Boot: theme, sign-in (from the start-up URL's `#token=` or the cookie) or a share link
// (`#share=`, docs/sharing.md), then hash routing.
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import type { Identity, OpenShareResponse } from '@shellgate/shared';
import { openShareResponseSchema } from '@shellgate/shared';
import { ApiError, api, onUnauthorized } from './api.js';
import { authView, describeLoginError } from './auth-view.js';
import { h, replaceChildren } from './dom.js';
import { header } from './header.js';
import { parseRoute, takeShareFromHash, takeTokenFromHash } from './router.js';
import { sessionView } from './session-view.js';
import { sessionsView } from './sessions-view.js';
import { initTheme } from './theme.js';
import type { AppContext, View } from './view.js';

const root = document.getElementById('app') ?? document.body;
let identity: Identity | null = null;
let views: View[] = [];
/** Where to go after signing in again. */
let returnTo = '#/';
/** The share link this tab was opened with: while set, its one session is the whole app. */
let shared: OpenShareResponse | null = null;
/** Where the tab keeps which session its share cookie opens, across reloads (not the link). */
const SHARE_STATE_KEY = 'shellgate.share';

function mount(...next: View[]): void {
  for (const view of views) view.dispose();
  views = next;
  replaceChildren(root, ...next.map((v) => v.element));
  next.at(-1)?.focus?.();
}

/**
 * Mounts a page whose code is a chunk of its own (the recordings pages and their player), so that
 * the sign-in page and the live terminal do not carry it.
 */
function mountLater(bar: View, load: () => Promise<View>): void {
  const placeholder: View = {
    element: h('main', { class: 'sessions-page' }, h('p', { class: 'muted' }, 'Loading…')),
    dispose: () => undefined,
  };
  mount(bar, placeholder);
  load().then(
    (view) => {
      if (views[1] !== placeholder) {
        view.dispose();
        return;
      }
      placeholder.element.replaceWith(view.element);
      views = [bar, view];
    },
    (error: unknown) => {
      placeholder.element.textContent = `Cannot load the page: ${error instanceof Error ? error.message : String(error)}`;
    },
  );
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

/** The tab as a share link made it: the one session, in the link's role, and nothing else. */
function showShared(share: OpenShareResponse): void {
  const ctx: AppContext = {
    identity: { name: 'shared link', role: share.mode === 'control' ? 'operator' : 'viewer' },
    share,
    navigate: (hash) => {
      if (hash === '#/signin') shareEnded('The share link has expired or was revoked.');
    },
  };
  document.title = `${share.mode === 'view' ? 'watching' : 'session'} (shared) · shellgate`;
  mount(header(null, signOut), sessionView(ctx, share.session, share.mode));
}

function shareEnded(notice: string): void {
  shared = null;
  sessionStorage.removeItem(SHARE_STATE_KEY);
  showSignIn(notice);
}

async function openShare(link: string): Promise<void> {
  try {
    shared = await api.openShare(link);
  } catch (error) {
    shareEnded(`This share link cannot be opened: ${describeLoginError(error)}`);
    return;
  }
  sessionStorage.setItem(SHARE_STATE_KEY, JSON.stringify(shared));
  showShared(shared);
}

/** The share this tab opened before a reload, while it has not expired. */
function rememberedShare(): OpenShareResponse | null {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(SHARE_STATE_KEY) ?? 'null');
    const parsed = openShareResponseSchema.safeParse(value);
    return parsed.success && Date.parse(parsed.data.expiresAt) > Date.now() ? parsed.data : null;
  } catch {
    return null;
  }
}

function route(): void {
  const current = parseRoute(location.hash);
  if (shared !== null) {
    showShared(shared);
    return;
  }
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
    case 'recordings':
      document.title = 'recordings · shellgate';
      mountLater(bar, async () => (await import('./recordings-view.js')).recordingsView(ctx));
      return;
    case 'recording':
      document.title = 'recording · shellgate';
      mountLater(bar, async () => (await import('./player-view.js')).playerView(current.id));
      return;
    case 'signin':
    case 'shared':
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
    if (shared !== null) {
      shareEnded('The share link has expired or was revoked.');
      return;
    }
    if (identity === null) return;
    returnTo = location.hash || '#/';
    showSignIn('Your sign-in has ended; sign in again to continue.');
  });
  window.addEventListener('hashchange', () => {
    // A start-up URL pasted into this open tab (every gateway start prints a new token).
    const link = takeShareFromHash();
    if (link !== null) {
      void openShare(link);
      return;
    }
    const pasted = takeTokenFromHash();
    if (pasted === null) route();
    else void signInWith(pasted);
  });
  const link = takeShareFromHash();
  if (link !== null) {
    await openShare(link);
    return;
  }
  if (location.hash === '#/shared') {
    shared = rememberedShare();
    if (shared !== null) {
      showShared(shared);
      return;
    }
  }
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
