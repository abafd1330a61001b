// The fleet's durable audit trail: each record gets an id (a UUID) the moment it is made and waits
// in a bounded in-memory spool until a batch that holds it is committed. A batch whose commit is
// not known to have happened is sent again; the table skips ids it already has, so a record is
// written once even then. While the database is away the spool fills (up to MAX_SPOOLED; past that
// the oldest records are dropped and the drop is logged — they are in the node's log either way).
import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditRecord } from '../log/audit.js';
import type { Logger } from '../log/logger.js';
import type { AuditRow, FleetStore } from './store.js';

const MAX_SPOOLED = 100_000;
const BATCH = 500;
/** How often a non-empty spool is written (and a failed write retried). */
const FLUSH_MS = 250;

export class AuditSpool {
  #spool: AuditRow[] = [];
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #failing = false;

  constructor(
    private readonly store: FleetStore,
    private readonly logger: Logger,
    private readonly node: string,
  ) {}

  get size(): number {
    return this.#spool.length;
  }

  add(event: AuditEvent, record: AuditRecord): void {
    if (this.#spool.length >= MAX_SPOOLED) {
      this.#spool.shift();
      this.#dropped += 1;
    }
    this.#spool.push({
      id: randomUUID(),
      time: new Date(),
      event,
      who: record.who,
      session: record.session ?? null,
      record: { ...record },
    });
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, FLUSH_MS).unref();
  }

  /** Writes what is spooled, batch by batch; stops at the first failure (retried later). */
  async flush(): Promise<void> {
    this.#writing ??= this.#drain().finally(() => (this.#writing = undefined));
    return this.#writing;
  }

  async #drain(): Promise<void> {
    while (this.#spool.length > 0) {
      const batch = this.#spool.slice(0, BATCH);
      try {
        await this.store.putAudit(this.node, batch);
      } catch (error) {
        if (!this.#failing) this.logger.warn('fleet audit write failed; spooling', { error });
        this.#failing = true;
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          void this.flush();
        }, FLUSH_MS * 4).unref();
        return;
      }
      // Records dropped meanwhile shifted the spool: remove exactly the ones written.
      const written = new Set(batch.map((row) => row.id));
      this.#spool = this.#spool.filter((row) => !written.has(row.id));
      if (this.#failing) this.logger.info('fleet audit spool written', { node: this.node });
      this.#failing = false;
    }
    if (this.#dropped > 0) {
      this.logger.error('fleet audit spool overflowed: oldest records not written to the database', {
        dropped: this.#dropped,
      });
      this.#dropped = 0;
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
