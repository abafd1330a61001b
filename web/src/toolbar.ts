// The session's controls: signals, EOF, terminate, find. A viewer gets only what a viewer may do.
import { SIGNALS } from '@shellgate/shared';
import type { SessionInfo, SignalName } from '@shellgate/shared';
import { DisposableStore, listen } from './disposables.js';
import type { Disposable } from './disposables.js';
import { h } from './dom.js';
import { confirmed } from './confirm.js';
import { formatArgv } from './format.js';

export interface ToolbarActions {
  signal(signal: SignalName): void;
  closeStdin(): void;
  terminate(): void;
  find(): void;
}

/** The signals the toolbar offers, in the order operators reach for them. */
export const TOOLBAR_SIGNALS: readonly SignalName[] = SIGNALS.filter((s) => s !== 'SIGWINCH');

export class Toolbar implements Disposable {
  readonly element: HTMLElement;
  readonly #title: HTMLElement;
  readonly #profile = h('strong', { class: 'toolbar-profile' });
  readonly #command = h('code', { class: 'toolbar-command' });
  readonly #controls: HTMLButtonElement[] = [];
  readonly #signal: HTMLSelectElement;
  readonly #eof: HTMLButtonElement;
  readonly #terminate: HTMLButtonElement;
  readonly #store = new DisposableStore();

  constructor(
    readonly canControl: boolean,
    actions: ToolbarActions,
  ) {
    this.#title = h(
      'span',
      { class: 'toolbar-title', 'data-testid': 'session-title' },
      this.#profile,
      ' ',
      this.#command,
    );
    const back = h(
      'a',
      { href: '#/', class: 'button ghost', 'data-testid': 'back-to-sessions' },
      '← Sessions',
    );
    this.#signal = h(
      'select',
      { 'aria-label': 'Signal to send', 'data-testid': 'signal-select' },
      ...TOOLBAR_SIGNALS.map((name) => h('option', { value: name }, name.replace(/^SIG/, ''))),
    );
    const send = h(
      'button',
      { type: 'button', 'data-testid': 'send-signal', title: 'Send the chosen signal to the process group' },
      'Send',
    );
    this.#eof = h(
      'button',
      { type: 'button', 'data-testid': 'send-eof', title: 'Close the process’s stdin (EOF)' },
      'EOF',
    );
    this.#terminate = h(
      'button',
      {
        type: 'button',
        class: 'danger',
        'data-testid': 'terminate',
        title: 'Close stdin, then SIGTERM, then SIGKILL',
      },
      'Terminate',
    );
    const find = h(
      'button',
      {
        type: 'button',
        class: 'ghost',
        'data-testid': 'open-search',
        title: 'Find in output (Ctrl+Shift+F)',
        'aria-label': 'Find in output',
      },
      'Find',
    );
    this.#controls.push(send, this.#eof, this.#terminate);

    const controls = canControl
      ? h(
          'div',
          { class: 'toolbar-group', role: 'group', 'aria-label': 'Process controls' },
          h(
            'label',
            { class: 'signal-picker' },
            h('span', { class: 'visually-hidden' }, 'Signal'),
            this.#signal,
          ),
          send,
          this.#eof,
          this.#terminate,
        )
      : h('span', { class: 'badge', 'data-testid': 'read-only-badge' }, 'read-only');
    this.element = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Session' },
      back,
      this.#title,
      h('span', { class: 'spacer' }),
      controls,
      find,
    );

    this.#store.add(
      listen(send, 'click', () => {
        const value = this.#signal.value;
        const signal = TOOLBAR_SIGNALS.find((s) => s === value);
        if (signal !== undefined) actions.signal(signal);
      }),
    );
    this.#store.add(listen(this.#eof, 'click', () => actions.closeStdin()));
    this.#store.add(
      listen(this.#terminate, 'click', () => {
        if (confirmed(this.#terminate)) actions.terminate();
      }),
    );
    this.#store.add(listen(find, 'click', () => actions.find()));
  }

  update(session: SessionInfo, connected: boolean): void {
    const command = formatArgv(session.argv);
    this.#profile.textContent = session.profile;
    this.#command.textContent = command;
    this.#title.title = command;
    const live = connected && session.state !== 'exited';
    this.#signal.disabled = !live;
    for (const button of this.#controls) button.disabled = !live;
    this.#eof.disabled = !live || !session.stdinOpen;
    this.#terminate.disabled = !live || session.state === 'terminating';
    if (session.state === 'terminating') this.#terminate.textContent = 'Terminating…';
    else if (this.#terminate.dataset.confirm !== 'pending') this.#terminate.textContent = 'Terminate';
  }

  dispose(): void {
    this.#store.dispose();
  }
}
