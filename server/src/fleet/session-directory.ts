// This node's rows in the fleet's session directory. Changes are queued per session (the latest
// wins) and written in batches; a write that fails stays queued and is retried, so the directory
// catches up once the database returns. The queue is bounded by the sessions this node holds.
import type { Logger } from '../log/logger.js';
import type { Session } from '../sessions/session.js';
import type { FleetStore, SessionRow } from './store.js';

/** A failed write is retried after this. */
const RETRY_MS = 1_000;

export class SessionDirectory {
  /** id → the row to write, or null to delete it. */
  readonly #pending = new Map<string, SessionRow | null>();
  #flushing: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #failing = false;
  #closed = false;

  constructor(
    private readonly store: FleetStore,
    private readonly logger: Logger,
    private readonly node: string,
  ) {}

  put(session: Session): void {
    const info = session.info();
    this.#pending.set(session.id, {
      id: session.id,
      node: this.node,
      owner: session.owner.name,
      profile: session.profile,
      state: info.state,
      exitCode: info.exit?.code ?? null,
      exitSignal: info.exit?.signal ?? null,
      info,
    });
    this.#schedule();
  }

  delete(id: string): void {
    this.#pending.set(id, null);
    this.#schedule();
  }

  /** Resolves once everything queued so far is written, or after the write failed. */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    if (this.#pending.size === 0 || this.#closed) return;
    this.#flushing = this.#write().finally(() => (this.#flushing = undefined));
    await this.#flushing;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
  }

  #schedule(): void {
    if (this.#closed || this.#retry !== undefined) return;
    queueMicrotask(() => void this.flush());
  }

  async #write(): Promise<void> {
    const batch = new Map(this.#pending);
    const puts: SessionRow[] = [];
    const deletes: string[] = [];
    for (const [id, row] of batch) {
      if (row === null) deletes.push(id);
      else puts.push(row);
    }
    try {
      await this.store.putSessions(puts);
      await this.store.deleteSessions(deletes);
      // Only what was not changed again meanwhile leaves the queue.
      for (const [id, row] of batch) if (this.#pending.get(id) === row) this.#pending.delete(id);
      if (this.#failing) this.logger.info('fleet session directory caught up', { node: this.node });
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.logger.warn('fleet session directory write failed; retrying', { error });
      this.#failing = true;
      if (!this.#closed && this.#retry === undefined) {
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          void this.flush();
        }, RETRY_MS);
        this.#retry.unref();
      }
    }
  }
}
