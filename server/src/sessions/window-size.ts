// Whose window a PTY session's terminal is sized for, when several control clients with windows of
// their own share it. The policy is tmux's `window-size latest`: the most recently active control
// client's size (activity: it typed or resized); when that client leaves, the next most recent
// one's. Clients learn the session's size from `session` messages and can tell it is not theirs.
import type { TerminalSize } from '@shellgate/shared';
import type { Attachment } from './attachment.js';

export class WindowSizePolicy {
  /** Control clients that reported a size, least to most recently active. */
  #order: Attachment[] = [];

  /**
   * The client's window has this size (a `resize`): it is the most recent now; its size applies.
   * The size it had already reported is no news and no activity (null): a page that reports its size
   * again, on attach and after a debounce, must not take the size back from a client that typed.
   */
  resized(client: Attachment, size: TerminalSize): TerminalSize | null {
    if (client.size !== null && client.size.cols === size.cols && client.size.rows === size.rows) return null;
    client.size = { ...size };
    this.#touch(client);
    return size;
  }

  /** The client typed: its size applies, if it ever reported one. */
  typed(client: Attachment): TerminalSize | null {
    if (client.size === null) return null;
    this.#touch(client);
    return client.size;
  }

  /** The client left: when it was the most recent, the next most recent one's size applies. */
  left(client: Attachment): TerminalSize | null {
    const wasLatest = this.#order.at(-1) === client;
    this.#order = this.#order.filter((other) => other !== client);
    return wasLatest ? (this.#order.at(-1)?.size ?? null) : null;
  }

  #touch(client: Attachment): void {
    if (this.#order.at(-1) === client) return;
    this.#order = this.#order.filter((other) => other !== client);
    this.#order.push(client);
  }
}
