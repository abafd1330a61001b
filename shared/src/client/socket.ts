// What the stream client needs from its environment, and nothing more: a socket that sends text and
// bytes, closes and reports open/message/close; and timers. A browser WebSocket and a Node `ws`
// WebSocket each fit in a few lines of adapter (web/src/terminal/browser-socket.ts,
// test/helpers/ws-socket.ts), which keeps this package free of DOM and Node types.
import type { StreamQuery } from '../stream-query.js';

export interface Disposable {
  dispose(): void;
}

export interface StreamSocket {
  /** True while frames can be sent: after open, before a close started. */
  readonly isOpen: boolean;
  /** A string goes out as a text frame, bytes as a binary frame. */
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onOpen(listener: () => void): Disposable;
  /** Text frames arrive as strings, binary frames as bytes. */
  onMessage(listener: (data: string | Uint8Array) => void): Disposable;
  /** Once, however the connection ended (an upgrade refused included). */
  onClose(listener: (code: number, reason: string) => void): Disposable;
}

/** Opens a socket to the session's stream with this query (the adapter knows the URL and credential). */
export type OpenSocket = (query: StreamQuery) => StreamSocket;

/** Timers, injected: `after(ms, fn)` runs `fn` once unless disposed first. */
export interface Scheduler {
  after(ms: number, fn: () => void): Disposable;
}

/** A listener list whose `on` returns the Disposable that removes the listener again. */
export class Emitter<Args extends unknown[]> {
  readonly #listeners = new Set<(...args: Args) => void>();

  on(listener: (...args: Args) => void): Disposable {
    const own = (...args: Args): void => listener(...args);
    this.#listeners.add(own);
    return { dispose: () => this.#listeners.delete(own) };
  }

  fire(...args: Args): void {
    for (const listener of [...this.#listeners]) listener(...args);
  }

  clear(): void {
    this.#listeners.clear();
  }
}
