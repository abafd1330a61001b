// How big the terminal is and how it sits in the window. A pipe session's terminal always fits the
// window. A PTY session's terminal has the session's size, which is this window's own only while
// this client is the session's most recently active controller (the gateway's `window-size
// latest` policy). When it is not — a viewer, or a second controller — the terminal keeps the
// session's size and is either scaled to fit the window or scrollable, as the operator chooses,
// with a notice saying whose size it is. It is never cut off or blank.
import type { FitAddon } from '@xterm/addon-fit';
import type { Terminal } from '@xterm/xterm';
import type { TerminalSize } from '@shellgate/shared';
import { DisposableStore, listen, toDisposable } from '../disposables.js';
import type { Disposable } from '../disposables.js';
import { h } from '../dom.js';

export type ViewFit = 'fit' | 'scroll';
const STORAGE_KEY = 'shellgate.viewFit';

function storedFit(): ViewFit {
  return localStorage.getItem(STORAGE_KEY) === 'scroll' ? 'scroll' : 'fit';
}

export interface SizingOptions {
  /** Whether this client may resize the session (a controller). */
  canControl: boolean;
  /** Resizes the terminal to fit the window (through the line editor's redraw, for pipe sessions). */
  refit(fit: () => void): void;
  /** This window's own size changed (PTY controllers send it; the gateway decides). */
  ownSize(size: TerminalSize): void;
}

export class Sizing implements Disposable {
  /** The notice shown while the terminal's size is not this window's; hidden otherwise. */
  readonly notice: HTMLElement;
  readonly #text = h('span', { 'data-testid': 'size-notice-text' });
  readonly #choice: HTMLSelectElement;
  readonly #store = new DisposableStore();
  #session: TerminalSize | null = null;
  #pty = false;
  #fit: ViewFit = storedFit();
  #lastOwn: TerminalSize | null = null;

  constructor(
    private readonly term: Terminal,
    private readonly fitAddon: FitAddon,
    private readonly host: HTMLElement,
    private readonly options: SizingOptions,
  ) {
    this.#choice = h(
      'select',
      { 'aria-label': 'Show the terminal', 'data-testid': 'view-fit' },
      h('option', { value: 'fit' }, 'scaled to fit'),
      h('option', { value: 'scroll' }, 'at full size, scrollable'),
    );
    this.#choice.value = this.#fit;
    this.notice = h(
      'div',
      { class: 'size-notice', hidden: true, role: 'status', 'data-testid': 'size-notice' },
      this.#text,
      h('label', { class: 'size-choice' }, 'Show it ', this.#choice),
    );
    this.#store.add(
      listen(this.#choice, 'change', () => {
        this.#fit = this.#choice.value === 'scroll' ? 'scroll' : 'fit';
        localStorage.setItem(STORAGE_KEY, this.#fit);
        this.update();
      }),
    );
    const observer = new ResizeObserver(() => this.update());
    observer.observe(host);
    this.#store.add(toDisposable(() => observer.disconnect()));
    // The screen's pixel size is known once xterm has rendered at the new size.
    this.#store.add(term.onRender(() => this.#layout()));
  }

  /** The session is a PTY session of this size (null: a pipe session, which always fits). */
  setSession(pty: boolean, size: TerminalSize | null): void {
    this.#pty = pty;
    this.#session = size;
    this.update();
  }

  /** The window's own size in cells, or null while the terminal is not laid out. */
  own(): TerminalSize | null {
    if (this.host.clientWidth === 0) return null;
    const proposed = this.fitAddon.proposeDimensions();
    if (proposed === undefined || !Number.isFinite(proposed.cols) || !Number.isFinite(proposed.rows))
      return null;
    return { cols: Math.max(2, proposed.cols), rows: Math.max(1, proposed.rows) };
  }

  update(): void {
    const own = this.own();
    if (own === null) return;
    if (this.options.canControl && this.#pty && !same(own, this.#lastOwn)) {
      this.#lastOwn = own;
      this.options.ownSize(own);
    }
    const target = this.#pty ? (this.#session ?? own) : own;
    if (same(target, own)) {
      this.notice.hidden = true;
      this.host.dataset.fit = 'own';
      this.options.refit(() => this.fitAddon.fit());
    } else {
      this.notice.hidden = false;
      this.host.dataset.fit = this.#fit;
      this.#text.textContent = this.options.canControl
        ? `${target.cols}×${target.rows}: sized for another client's window (this one fits ${own.cols}×${own.rows}). Type here to take it back.`
        : `${target.cols}×${target.rows}: the session's size (this window fits ${own.cols}×${own.rows}).`;
      if (this.term.cols !== target.cols || this.term.rows !== target.rows)
        this.options.refit(() => this.term.resize(target.cols, target.rows));
    }
    this.#layout();
  }

  dispose(): void {
    this.#store.dispose();
  }

  /** Sizes (and scales) xterm's element to the terminal, or lets it fill the host again. */
  #layout(): void {
    const element = this.term.element;
    if (element === undefined) return;
    const mode = this.host.dataset.fit;
    if (mode === undefined || mode === 'own') {
      element.style.width = '';
      element.style.height = '';
      element.style.transform = '';
      return;
    }
    const screen = element.querySelector<HTMLElement>('.xterm-screen');
    if (screen === null || screen.offsetWidth === 0) return;
    // Room for xterm's scrollbar beside the screen.
    const width = screen.offsetWidth + 16;
    const height = screen.offsetHeight;
    element.style.width = `${width}px`;
    element.style.height = `${height}px`;
    const scale =
      mode === 'fit' ? Math.min(1, this.host.clientWidth / width, this.host.clientHeight / height) : 1;
    element.style.transform = scale < 1 ? `scale(${scale})` : '';
  }
}

function same(a: TerminalSize | null, b: TerminalSize | null): boolean {
  return a !== null && b !== null && a.cols === b.cols && a.rows === b.rows;
}
