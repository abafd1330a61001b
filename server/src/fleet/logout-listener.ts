// LISTEN for logouts on a connection of its own, reconnecting (with a bounded backoff) whenever it
// is lost. A logout announced while this node was not listening is caught on reconnect: `resumed`
// lets the caller re-check the logins it holds.
import type pg from 'pg';
import type { Logger } from '../log/logger.js';
import { LOGOUT_CHANNEL } from './store.js';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

export class LogoutListener {
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #delay = RECONNECT_MIN_MS;

  constructor(
    private readonly Client: typeof pg.Client,
    private readonly database: string,
    private readonly logger: Logger,
    private readonly loggedOut: (idHash: string) => void,
    private readonly resumed: () => void,
  ) {}

  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new this.Client({ connectionString: this.database });
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.#client === client) this.#lost();
    });
    client.on('notification', (message) => {
      if (message.channel === LOGOUT_CHANNEL && message.payload !== undefined)
        this.loggedOut(message.payload);
    });
    this.#client = client;
    await client.connect();
    await client.query(`LISTEN ${LOGOUT_CHANNEL}`);
    this.#delay = RECONNECT_MIN_MS;
  }

  #lost(): void {
    this.#client = undefined;
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().then(
        () => {
          this.logger.info('fleet logout listener reconnected');
          this.resumed();
        },
        () => {
          this.#delay = Math.min(RECONNECT_MAX_MS, this.#delay * 2);
          this.#lost();
        },
      );
    }, this.#delay);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
