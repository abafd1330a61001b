// The session's stream in the browser: the shared StreamClient (resume without loss or duplicates,
// batched acks, backoff, close codes) on a browser WebSocket to this page's gateway, retried at
// once when the network comes back, and told over HTTP whether a refused upgrade is worth retrying.
import { StreamClient, streamUrl } from '@shellgate/shared';
import type {
  ClientMessage,
  ClientRole,
  ConnectionState,
  EventMessage,
  HelloMessage,
  ProbeVerdict,
} from '@shellgate/shared';
import { ApiError, api } from '../api.js';
import { appBase } from '../base-url.js';
import { DisposableStore, listen } from '../disposables.js';
import type { Disposable } from '../disposables.js';
import { browserScheduler, openBrowserSocket } from './browser-socket.js';

export type { ConnectionState, EventMessage, HelloMessage };

export interface ConnectionHandlers {
  /** A (re)connection was accepted. `resumed` is false on the first one and after a snapshot. */
  hello(message: HelloMessage, resumed: boolean): void;
  /** New output bytes; call `connection.processed(end)` once they are rendered. */
  output(kind: 'stdout' | 'stderr', bytes: Uint8Array, end: number): void;
  /** What a control client typed into a pipe session, in its place among the output. */
  input(data: string): void;
  /** A PTY snapshot: replaces the screen. */
  snapshot(bytes: Uint8Array): void;
  gap(from: number, to: number): void;
  message(message: EventMessage): void;
  state(state: ConnectionState, detail: string): void;
  unauthorized(): void;
}

/** The browser hides why an upgrade was refused: the session's HTTP answer tells. */
async function probe(sessionId: string): Promise<ProbeVerdict> {
  try {
    await api.session(sessionId);
  } catch (error) {
    // 410: the share link this tab was opened with has ended (docs/sharing.md).
    if (error instanceof ApiError && (error.status === 401 || error.status === 410)) return 'unauthorized';
    if (error instanceof ApiError && error.status === 404) return 'gone';
  }
  return 'retry';
}

export class Connection implements Disposable {
  readonly #client: StreamClient;
  readonly #store = new DisposableStore();

  constructor(
    readonly sessionId: string,
    readonly role: ClientRole,
    handlers: ConnectionHandlers,
  ) {
    const client = new StreamClient({
      role,
      input: true,
      scheduler: browserScheduler,
      open: (query) => openBrowserSocket(streamUrl(appBase(), sessionId, query)),
      probe: () => probe(sessionId),
    });
    this.#client = client;
    this.#store.add(client);
    this.#store.add(client.onHello((message, resumed) => handlers.hello(message, resumed)));
    this.#store.add(client.onOutput((kind, bytes, end) => handlers.output(kind, bytes, end)));
    this.#store.add(client.onSnapshot((bytes) => handlers.snapshot(bytes)));
    this.#store.add(client.onInput((data) => handlers.input(data)));
    this.#store.add(client.onGap((from, to) => handlers.gap(from, to)));
    this.#store.add(client.onMessage((message) => handlers.message(message)));
    this.#store.add(client.onState((state, detail) => handlers.state(state, detail)));
    this.#store.add(
      client.onStop((reason) => {
        if (reason === 'unauthorized') handlers.unauthorized();
      }),
    );
    this.#store.add(listen(window, 'online', () => client.retryNow()));
    client.start();
  }

  get isOpen(): boolean {
    return this.#client.isOpen;
  }

  /** Sends a control message; false when not connected (the caller tells the operator). */
  send(message: ClientMessage): boolean {
    return this.#client.send(message);
  }

  sendStdin(bytes: Uint8Array): boolean {
    return this.#client.sendStdin(bytes);
  }

  /** The terminal has rendered every byte before `offset`. */
  processed(offset: number): void {
    this.#client.processed(offset);
  }

  dispose(): void {
    this.#store.dispose();
  }
}
