// The session at a glance: connection, pid, state or exit status, elapsed time, size, role, and
// the last error the gateway reported (announced to screen readers).
import type { SessionInfo } from '@shellgate/shared';
import { DisposableStore, every, listen } from './disposables.js';
import type { Disposable } from './disposables.js';
import { h } from './dom.js';
import { describeState, elapsed } from './format.js';
import type { ConnectionState } from './terminal/connection.js';

const CONNECTION_LABELS: Record<ConnectionState, string> = {
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  offline: 'offline',
};

export class StatusBar implements Disposable {
  readonly element: HTMLElement;
  readonly errorElement: HTMLElement;
  readonly #connection = h('span', {
    class: 'status-connection',
    'data-testid': 'connection-state',
    'data-state': 'connecting',
  });
  readonly #pid = h('span', { 'data-testid': 'session-pid' });
  readonly #state = h('span', { class: 'status-state', 'data-testid': 'session-state' });
  readonly #elapsed = h('span', { 'data-testid': 'session-elapsed' });
  readonly #extra = h('span', { class: 'status-extra', 'data-testid': 'session-extra' });
  readonly #errorText = h('span', { 'data-testid': 'error-text' });
  readonly #store = new DisposableStore();
  #session: SessionInfo | null = null;
  #connected = false;

  constructor(readonly role: 'control' | 'view') {
    this.element = h(
      'footer',
      { class: 'status-bar', 'aria-label': 'Session status' },
      this.#connection,
      this.#pid,
      h('span', { role: 'status', 'aria-live': 'polite', class: 'status-live' }, this.#state),
      this.#elapsed,
      this.#extra,
    );
    const dismiss = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Dismiss error' }, '✕');
    this.errorElement = h(
      'div',
      { class: 'error-banner', role: 'alert', hidden: true, 'data-testid': 'error-banner' },
      this.#errorText,
      dismiss,
    );
    this.#store.add(listen(dismiss, 'click', () => (this.errorElement.hidden = true)));
    this.#store.add(every(1000, () => this.#tick()));
  }

  setConnection(state: ConnectionState, detail: string): void {
    this.#connection.dataset.state = state;
    this.#connection.textContent = CONNECTION_LABELS[state];
    this.#connection.title = detail;
    this.#connection.setAttribute('aria-label', `Connection: ${detail}`);
    const connected = state === 'connected';
    if (connected === this.#connected) return;
    this.#connected = connected;
    // What the session was doing is only known while connected: say so instead of guessing.
    if (this.#session !== null) this.setSession(this.#session);
  }

  setSession(session: SessionInfo): void {
    this.#session = session;
    this.#pid.textContent = session.pid === null ? 'no pid' : `pid ${session.pid}`;
    const live = this.#connected || session.state === 'exited';
    this.#state.textContent = live ? describeState(session) : `last known: ${describeState(session)}`;
    this.#state.dataset.state = session.state;
    this.#state.dataset.exitCode = session.exit?.code?.toString() ?? '';
    this.#state.dataset.exitSignal = session.exit?.signal ?? '';
    const parts = [
      session.mode === 'pty' && session.size !== null
        ? `${session.size.cols}×${session.size.rows}`
        : session.mode,
    ];
    if (live) parts.push(`${session.clients} attached`);
    if (this.role === 'view') parts.push('watching');
    if (!session.stdinOpen && session.state !== 'exited') parts.push('stdin closed');
    this.#extra.textContent = parts.join(' · ');
    this.#tick();
  }

  /** Terminate escalation as it happens: shown in the state until the next session update. */
  setStage(stage: string): void {
    this.#state.textContent = `terminating (${stage})`;
    this.#state.dataset.state = 'terminating';
  }

  /** A fresh connection: an earlier error no longer describes anything. */
  clearError(): void {
    this.errorElement.hidden = true;
  }

  showError(code: string, message: string): void {
    this.#errorText.textContent = `${code}: ${message}`;
    this.errorElement.hidden = false;
  }

  dispose(): void {
    this.#store.dispose();
  }

  #tick(): void {
    if (this.#session !== null) this.#elapsed.textContent = elapsed(this.#session);
  }
}
