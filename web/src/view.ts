// What every page of the app is: an element plus the one call that cleans up after it.
import type { Identity, OpenShareResponse } from '@shellgate/shared';
import type { Disposable } from './disposables.js';

export interface View extends Disposable {
  readonly element: HTMLElement;
  /** Where the keyboard should start, once the view is on the page. */
  focus?(): void;
  /** Gives the keyboard back to the view's main element after a control elsewhere was used. */
  keyboardHome?(): void;
}

export interface AppContext {
  readonly identity: Identity;
  /** Set when a share link opened the app: its one session is all there is. */
  readonly share?: OpenShareResponse;
  navigate(hash: string): void;
}
