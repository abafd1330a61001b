// Share links from the session's toolbar (docs/sharing.md): make a view or control link with a
// lifetime, copy it, see the links alive and revoke them. A disclosure like the settings panel; the
// list is read when it opens, so a closed panel costs nothing.
import type { ClientRole, ShareInfo } from '@shellgate/shared';
import { ApiError, api } from './api.js';
import { DisposableStore, listen } from './disposables.js';
import type { Disposable } from './disposables.js';
import { h, replaceChildren } from './dom.js';

/** Lifetimes offered, in seconds (the gateway caps them at shares.maxTtlSeconds). */
const LIFETIMES: ReadonlyArray<[number, string]> = [
  [15 * 60, '15 minutes'],
  [60 * 60, '1 hour'],
  [8 * 60 * 60, '8 hours'],
  [24 * 60 * 60, '1 day'],
];

function errorText(error: unknown): string {
  if (error instanceof ApiError)
    return error.code !== null ? `${error.code}: ${error.message}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

export class SharePanel implements Disposable {
  readonly element: HTMLDetailsElement;
  readonly #store = new DisposableStore();
  readonly #list = h('ul', { class: 'share-list', 'data-testid': 'share-list' });
  readonly #error = h('p', { class: 'form-error', role: 'alert', 'data-testid': 'share-error' });
  readonly #url = h('input', {
    type: 'text',
    readonly: true,
    id: 'share-url',
    'data-testid': 'share-url',
    'aria-label': 'Share link',
  });

  constructor(private readonly sessionId: string) {
    const mode = h(
      'select',
      { id: 'share-mode', 'data-testid': 'share-mode' },
      h('option', { value: 'view' }, 'watch only'),
      h('option', { value: 'control' }, 'watch and type'),
    );
    const lifetime = h(
      'select',
      { id: 'share-ttl', 'data-testid': 'share-ttl' },
      ...LIFETIMES.map(([seconds, label]) =>
        h('option', { value: String(seconds), selected: seconds === 3600 }, label),
      ),
    );
    const create = h(
      'button',
      { type: 'button', class: 'primary', 'data-testid': 'share-create' },
      'Create link',
    );
    const copy = h('button', { type: 'button', 'data-testid': 'share-copy', disabled: true }, 'Copy');
    const row = (control: HTMLElement, label: string): HTMLElement =>
      h('div', { class: 'setting' }, h('label', { for: control.id }, label), control);
    this.element = h(
      'details',
      { class: 'settings', 'data-testid': 'share' },
      h('summary', { class: 'button ghost', 'data-testid': 'open-share' }, 'Share'),
      h(
        'div',
        { class: 'settings-panel share-panel' },
        row(mode, 'Link lets others'),
        row(lifetime, 'Expires after'),
        h('div', { class: 'share-actions' }, create),
        h('div', { class: 'share-url' }, this.#url, copy),
        h(
          'p',
          { class: 'muted setting-note' },
          'Anyone with the link sees this session only, until it expires or is revoked.',
        ),
        this.#error,
        this.#list,
      ),
    );
    this.#store.add(
      listen(this.element, 'toggle', () => {
        if (this.element.open) void this.#refresh();
      }),
    );
    this.#store.add(
      listen(create, 'click', () => {
        create.disabled = true;
        const wanted: ClientRole = mode.value === 'control' ? 'control' : 'view';
        api.createShare(this.sessionId, { mode: wanted, ttlSeconds: Number(lifetime.value) }).then(
          (answer) => {
            create.disabled = false;
            this.#url.value = answer.url;
            copy.disabled = false;
            this.#url.select();
            this.#error.textContent = '';
            void this.#refresh();
          },
          (error: unknown) => {
            create.disabled = false;
            this.#error.textContent = errorText(error);
          },
        );
      }),
    );
    this.#store.add(
      listen(copy, 'click', () => {
        this.#url.select();
        navigator.clipboard.writeText(this.#url.value).then(
          () => (copy.textContent = 'Copied'),
          () =>
            (this.#error.textContent =
              'The browser did not allow copying: the link is selected, copy it by hand.'),
        );
      }),
    );
  }

  async #refresh(): Promise<void> {
    try {
      const shares = await api.shares(this.sessionId);
      replaceChildren(this.#list, ...shares.map((share) => this.#item(share)));
    } catch (error) {
      this.#error.textContent = errorText(error);
    }
  }

  #item(share: ShareInfo): HTMLLIElement {
    const revoke = h(
      'button',
      {
        type: 'button',
        class: 'danger',
        'data-testid': 'share-revoke',
        'aria-label': `Revoke ${share.mode} link`,
      },
      'Revoke',
    );
    this.#store.add(
      listen(revoke, 'click', () => {
        revoke.disabled = true;
        api.revokeShare(share.id).then(
          () => void this.#refresh(),
          (error: unknown) => {
            revoke.disabled = false;
            this.#error.textContent = errorText(error);
          },
        );
      }),
    );
    const until = new Date(share.expiresAt).toLocaleTimeString();
    return h(
      'li',
      { 'data-testid': 'share-item', 'data-share-id': share.id },
      h(
        'span',
        {},
        `${share.mode === 'control' ? 'watch and type' : 'watch only'}, until ${until}, opened ${share.opens}×`,
      ),
      revoke,
    );
  }

  dispose(): void {
    this.#store.dispose();
  }
}
