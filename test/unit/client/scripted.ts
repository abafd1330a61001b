// A scripted socket and a manual clock for the stream client's unit tests. The socket is not what
// is under test (the client's logic is), so the test plays the gateway's side by hand; the real
// gateway is in test/integration/stream-client.test.ts.
import { FrameType, encodeFrame } from '@shellgate/shared';
import type { Disposable, Scheduler, ServerMessage, StreamQuery, StreamSocket } from '@shellgate/shared';

type Listener<Args extends unknown[]> = (...args: Args) => void;

function subscribe<Args extends unknown[]>(set: Set<Listener<Args>>, listener: Listener<Args>): Disposable {
  set.add(listener);
  return { dispose: () => set.delete(listener) };
}

export class ScriptedSocket implements StreamSocket {
  isOpen = false;
  readonly sent: Array<string | Uint8Array> = [];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  readonly #open = new Set<Listener<[]>>();
  readonly #message = new Set<Listener<[string | Uint8Array]>>();
  readonly #close = new Set<Listener<[number, string]>>();

  constructor(readonly query: StreamQuery) {}

  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.isOpen = false;
  }
  onOpen(listener: () => void): Disposable {
    return subscribe(this.#open, listener);
  }
  onMessage(listener: (data: string | Uint8Array) => void): Disposable {
    return subscribe(this.#message, listener);
  }
  onClose(listener: (code: number, reason: string) => void): Disposable {
    return subscribe(this.#close, listener);
  }

  // ---- the gateway's side ----
  open(): void {
    this.isOpen = true;
    for (const listener of [...this.#open]) listener();
  }
  receive(data: string | Uint8Array): void {
    for (const listener of [...this.#message]) listener(data);
  }
  message(message: ServerMessage): void {
    this.receive(JSON.stringify(message));
  }
  stdout(text: string): void {
    this.receive(encodeFrame(FrameType.Stdout, new TextEncoder().encode(text)));
  }
  drop(code = 1006, reason = ''): void {
    this.isOpen = false;
    for (const listener of [...this.#close]) listener(code, reason);
  }
  /** The text messages this client sent, parsed. */
  sentMessages(): unknown[] {
    return this.sent.filter((data) => typeof data === 'string').map((text) => JSON.parse(text) as unknown);
  }
}

/** Every socket the client opened, in order; `open` is the client's OpenSocket. */
export function socketLog(): { sockets: ScriptedSocket[]; open: (query: StreamQuery) => ScriptedSocket } {
  const sockets: ScriptedSocket[] = [];
  return {
    sockets,
    open: (query) => {
      const socket = new ScriptedSocket(query);
      sockets.push(socket);
      return socket;
    },
  };
}

/** Timers on a clock that only moves when told to. */
export class ManualClock implements Scheduler {
  now = 0;
  #timers: Array<{ due: number; fn: () => void; live: boolean }> = [];

  after(ms: number, fn: () => void): Disposable {
    const timer = { due: this.now + ms, fn, live: true };
    this.#timers.push(timer);
    return { dispose: () => (timer.live = false) };
  }

  /** Timers waiting, with how long until each is due. */
  pending(): number[] {
    return this.#timers.filter((timer) => timer.live).map((timer) => timer.due - this.now);
  }

  advance(ms: number): void {
    this.now += ms;
    for (;;) {
      const due = this.#timers.find((timer) => timer.live && timer.due <= this.now);
      if (due === undefined) return;
      due.live = false;
      due.fn();
    }
  }
}

export function hello(
  offset: number,
  extra: { snapshot?: boolean; role?: 'control' | 'view'; window?: number } = {},
): ServerMessage {
  return {
    type: 'hello',
    protocol: 1,
    role: extra.role ?? 'control',
    offset,
    snapshot: extra.snapshot ?? false,
    ...(extra.window === undefined ? {} : { window: extra.window }),
    session: {
      id: 'AAAAAAAAAAAAAAAAAAAAAAAA',
      profile: 'cat',
      argv: ['cat'],
      pid: 1,
      mode: 'pipe',
      state: 'running',
      startedAt: '2026-01-01T00:00:00.000Z',
      exitedAt: null,
      exit: null,
      terminateStage: null,
      size: null,
      outputBytes: offset,
      clients: 1,
      stdinOpen: true,
      owner: 'operator',
    },
  };
}
