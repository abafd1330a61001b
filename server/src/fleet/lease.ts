// Keeps this node's lease alive: renewed every third of the lease, so two renewals may fail (a
// database restart, a slow query) before the other nodes see the node as lost.
import type { Logger } from '../log/logger.js';
import type { FleetStore } from './store.js';

export class LeaseKeeper {
  #timer: NodeJS.Timeout | undefined;
  #url = '';
  #renewing = false;
  #healthy = true;

  constructor(
    private readonly store: FleetStore,
    private readonly logger: Logger,
    private readonly node: string,
    private readonly bootId: string,
    private readonly leaseSeconds: number,
    /**
     * Called after every renewal that reached the database (the directory catches up then);
     * `rejoined` when the node had to join again, which forgot its sessions' rows.
     */
    private readonly renewed: (rejoined: boolean) => void,
  ) {}

  async join(url: string): Promise<void> {
    this.#url = url;
    await this.store.join(this.node, url, this.bootId, this.leaseSeconds);
    this.logger.info('joined the fleet', { node: this.node, url, leaseSeconds: this.leaseSeconds });
    this.#timer = setInterval(() => void this.#renew(), (this.leaseSeconds * 1000) / 3);
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      const held = await this.store.renew(this.node, this.bootId, this.leaseSeconds);
      if (!held) {
        // The row is gone or another run took the name: join again rather than vanish.
        this.logger.warn('fleet lease was not ours any more: rejoining', { node: this.node });
        await this.store.join(this.node, this.#url, this.bootId, this.leaseSeconds);
      }
      if (!this.#healthy) this.logger.info('fleet database reachable again', { node: this.node });
      this.#healthy = true;
      this.renewed(!held);
    } catch (error) {
      if (this.#healthy) this.logger.warn('fleet lease renewal failed', { node: this.node, error });
      this.#healthy = false;
    } finally {
      this.#renewing = false;
    }
  }

  async leave(): Promise<void> {
    clearInterval(this.#timer);
    await this.store.leave(this.node, this.bootId);
  }
}
