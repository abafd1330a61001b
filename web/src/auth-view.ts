// Sign in with a token. The token goes to POST /api/login once; from then on the HttpOnly cookie
// carries the login and the token itself is never stored by the page.
import type { Identity } from '@shellgate/shared';
import { ApiError, api } from './api.js';
import { DisposableStore, listen } from './disposables.js';
import { h } from './dom.js';
import type { View } from './view.js';

export function describeLoginError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'UNAUTHORIZED') return 'That token was not accepted.';
    if (error.code === 'RATE_LIMITED') return 'Too many failed sign-ins; wait a moment and try again.';
    return error.message;
  }
  return String(error);
}

export function authView(onSignedIn: (identity: Identity) => void, notice = ''): View {
  const store = new DisposableStore();
  const input = h('input', {
    id: 'token',
    type: 'password',
    name: 'token',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'token-input',
    'aria-describedby': 'signin-help signin-error',
  });
  const error = h(
    'p',
    { id: 'signin-error', class: 'form-error', role: 'alert', 'data-testid': 'signin-error' },
    notice,
  );
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'signin-submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to shellgate'),
    h(
      'p',
      { class: 'muted', id: 'signin-help' },
      'On a default start the gateway prints a sign-in URL with a new token when it starts (',
      h('code', {}, 'http://HOST:PORT/#token=…'),
      '): open it, paste it into this tab’s address bar, or paste its token here. With a configuration file, use a token from its ',
      h('code', {}, 'tokens'),
      '.',
    ),
    h('label', { for: 'token' }, 'Token'),
    input,
    error,
    submit,
  );
  store.add(
    listen(form, 'submit', (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token === '') return;
      submit.disabled = true;
      error.textContent = '';
      api.login(token).then(
        (identity) => {
          input.value = '';
          onSignedIn(identity);
        },
        (failure: unknown) => {
          submit.disabled = false;
          error.textContent = describeLoginError(failure);
          input.select();
        },
      );
    }),
  );
  return {
    element: h('main', { class: 'signin-page' }, form),
    focus: () => input.focus(),
    dispose: () => store.dispose(),
  };
}
