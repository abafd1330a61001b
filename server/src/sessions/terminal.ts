// A PTY session's terminal, as the session sees it: its size — whose window it is sized for, by
// the policy in window-size.ts — and the server-side screen (a headless terminal in a worker) that
// clients attaching mid-session are shown. Pipe sessions have none.
import type { TerminalSize } from '@shellgate/shared';
import { ScreenTracker } from '../screen/index.js';
import type { Attachment } from './attachment.js';
import type { SessionProcess } from './child.js';
import { WindowSizePolicy } from './window-size.js';

type PtyProcess = Extract<SessionProcess, { mode: 'pty' }>;

export class SessionTerminal {
  #size: TerminalSize;
  readonly #policy = new WindowSizePolicy();
  #pty: PtyProcess | undefined;
  /** The screen, for snapshots on attach; null when the profile turned tracking off. */
  #screen: ScreenTracker | null = null;

  /** `resized` is told after the terminal took a new size. */
  constructor(
    size: TerminalSize,
    private readonly resized: (size: TerminalSize) => void,
  ) {
    this.#size = { ...size };
  }

  get size(): TerminalSize {
    return { ...this.#size };
  }

  get screen(): ScreenTracker | null {
    return this.#screen;
  }

  /** The program runs on `pty`; with `trackScreen`, a screen follows its output from now on. */
  start(pty: PtyProcess, trackScreen: boolean): void {
    this.#pty = pty;
    if (trackScreen) this.#screen = new ScreenTracker({ cols: this.#size.cols, rows: this.#size.rows });
  }

  /** A control client typed: its window's size applies first (the program redraws before answering). */
  typed(client: Attachment): void {
    const size = this.#policy.typed(client);
    if (size !== null) this.#apply(size);
  }

  /** A resize: a stream client's is its window's (window-size.ts); without one (HTTP), it applies as is. */
  resize(size: TerminalSize, client?: Attachment): void {
    const applies = client === undefined ? size : this.#policy.resized(client, size);
    if (applies !== null) this.#apply(applies);
  }

  /** A client left: when its window set the size, the next most recent one's applies. */
  left(client: Attachment): void {
    const size = this.#policy.left(client);
    if (size !== null) this.#apply(size);
  }

  close(): void {
    this.#screen?.close();
  }

  #apply({ cols, rows }: TerminalSize): void {
    if (this.#pty === undefined || (this.#size.cols === cols && this.#size.rows === rows)) return;
    this.#pty.resize(cols, rows);
    this.#screen?.resize(cols, rows);
    this.#size = { cols, rows };
    this.resized({ cols, rows });
  }
}
