// Find in the scrollback: a small bar over the terminal. Enter / Shift+Enter step through matches,
// Escape closes it and gives the keyboard back to the terminal.
import type { SearchAddon, ISearchOptions } from '@xterm/addon-search';
import type { Terminal } from '@xterm/xterm';
import { DisposableStore, listen } from '../disposables.js';
import type { Disposable } from '../disposables.js';
import { h } from '../dom.js';
import { currentTheme } from '../theme.js';
import { searchColours } from './themes.js';

export class SearchBar implements Disposable {
  readonly element: HTMLElement;
  readonly #input: HTMLInputElement;
  readonly #count: HTMLElement;
  readonly #caseSensitive = h('input', { type: 'checkbox', 'data-testid': 'search-case' });
  readonly #regex = h('input', { type: 'checkbox', 'data-testid': 'search-regex' });
  readonly #store = new DisposableStore();

  constructor(
    private readonly term: Terminal,
    private readonly search: SearchAddon,
  ) {
    this.#input = h('input', {
      type: 'search',
      class: 'search-input',
      placeholder: 'Find in output',
      'aria-label': 'Find in terminal output',
      'data-testid': 'search-input',
      spellcheck: 'false',
      autocomplete: 'off',
    });
    this.#count = h('span', { class: 'search-count', 'aria-live': 'polite', 'data-testid': 'search-count' });
    const previous = h(
      'button',
      {
        type: 'button',
        class: 'icon-button',
        'aria-label': 'Previous match',
        title: 'Previous match (Shift+Enter)',
      },
      '↑',
    );
    const next = h(
      'button',
      { type: 'button', class: 'icon-button', 'aria-label': 'Next match', title: 'Next match (Enter)' },
      '↓',
    );
    const close = h(
      'button',
      { type: 'button', class: 'icon-button', 'aria-label': 'Close search', title: 'Close (Escape)' },
      '✕',
    );
    this.element = h(
      'div',
      { class: 'search-bar', role: 'search', hidden: true, 'data-testid': 'search-bar' },
      this.#input,
      h('label', { class: 'search-option', title: 'Match case' }, this.#caseSensitive, 'Aa'),
      h('label', { class: 'search-option', title: 'Regular expression' }, this.#regex, '.*'),
      this.#count,
      previous,
      next,
      close,
    );

    this.#store.add(listen(this.#input, 'input', () => this.#find('next', true)));
    for (const option of [this.#caseSensitive, this.#regex]) {
      option.setAttribute('aria-label', option === this.#regex ? 'Regular expression' : 'Match case');
      this.#store.add(
        listen(option, 'change', () => {
          // The addon keeps its matches for an unchanged term: start the search over.
          this.search.clearDecorations();
          this.#find('next', true);
        }),
      );
    }
    this.#store.add(
      listen(this.#input, 'keydown', (event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          this.#find(event.shiftKey ? 'previous' : 'next', false);
        } else if (event.key === 'Escape') {
          event.preventDefault();
          this.close();
        }
      }),
    );
    this.#store.add(listen(previous, 'click', () => this.#find('previous', false)));
    this.#store.add(listen(next, 'click', () => this.#find('next', false)));
    this.#store.add(listen(close, 'click', () => this.close()));
    this.#store.add(
      search.onDidChangeResults(({ resultIndex, resultCount }) => {
        if (this.#input.value === '') this.#count.textContent = '';
        else if (resultCount === 0) this.#count.textContent = 'no matches';
        else this.#count.textContent = `${resultIndex + 1} of ${resultCount}`;
      }),
    );
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  open(): void {
    this.element.hidden = false;
    const selection = this.term.getSelection();
    if (selection !== '' && !selection.includes('\n')) this.#input.value = selection;
    this.#input.select();
    this.#input.focus();
    if (this.#input.value !== '') this.#find('next', true);
  }

  close(): void {
    this.element.hidden = true;
    this.search.clearDecorations();
    this.#count.textContent = '';
    this.term.focus();
  }

  dispose(): void {
    this.#store.dispose();
  }

  #find(direction: 'next' | 'previous', incremental: boolean): void {
    const query = this.#input.value;
    if (query === '') {
      this.search.clearDecorations();
      this.#count.textContent = '';
      return;
    }
    const colours = searchColours(currentTheme());
    if (this.#regex.checked && !validRegex(query)) {
      this.search.clearDecorations();
      this.#count.textContent = 'invalid expression';
      return;
    }
    const options: ISearchOptions = {
      incremental,
      caseSensitive: this.#caseSensitive.checked,
      regex: this.#regex.checked,
      decorations: {
        matchBackground: colours.match,
        matchOverviewRuler: colours.match,
        activeMatchBackground: colours.active,
        activeMatchColorOverviewRuler: colours.active,
      },
    };
    if (direction === 'next') this.search.findNext(query, options);
    else this.search.findPrevious(query, options);
  }
}

function validRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
