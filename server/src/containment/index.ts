// What keeps a session's processes from outliving it: the keeper (server/native/keeper.c) and,
// where the host delegates cgroup v2 to the gateway, a cgroup per session. Decided once at start-up
// from `containment` in the configuration; docs/security.md, "Containment", says what each gives.
import type { ContainmentConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { Process, keeperUnavailable } from '../process/index.js';
import { GatewayCgroup, sweepStale, type SessionCgroup } from './cgroup.js';
import { ownCgroupDir } from './cgroup-paths.js';
import { ContainmentError } from './errors.js';

export { ContainmentError, type ContainmentErrorCode } from './errors.js';

/** What is in force, as /healthz and the `listening` log line report it. */
export interface ContainmentStatus {
  keeper: boolean;
  cgroup: 'v2' | 'off';
  pidsMax: number | null;
  memoryMaxBytes: number | null;
}

/** How one session's process is started, and what to do once it has exited. */
export interface SessionContainment {
  keeper: boolean;
  cgroup: string | undefined;
  /** Kills whatever is left in the session's cgroup and removes it. Never rejects. */
  release(): Promise<void>;
}

export class Containment {
  /**
   * Checks that the configuration can be honoured here and sets up the gateway's cgroup. Throws a
   * ContainmentError (EKEEPER, ECGROUP) when what it requires is not available; with cgroup "auto"
   * an unusable cgroup is logged and left off.
   */
  static create(config: ContainmentConfig, logger: Logger): Containment {
    if (config.keeper) {
      const unavailable = keeperUnavailable();
      if (unavailable !== null) {
        throw new ContainmentError(
          'EKEEPER',
          `${unavailable.message}; set containment.keeper to false to run sessions without it`,
          { cause: unavailable },
        );
      }
    }
    let cgroup: GatewayCgroup | null = null;
    if (config.cgroup !== 'off') {
      const parent = config.cgroupParent ?? ownCgroupDir();
      try {
        if (parent === null)
          throw new ContainmentError('ECGROUP', 'no cgroup v2 hierarchy is mounted for this process');
        cgroup = GatewayCgroup.create(parent, config);
      } catch (error) {
        if (config.cgroup === 'required' || !(error instanceof ContainmentError)) throw error;
        logger.info('no cgroup per session: the keeper alone contains sessions', { reason: error.message });
      }
    }
    const wanted = { pidsMax: config.pidsMax, memoryMaxBytes: config.memoryMaxBytes };
    for (const [limit, value] of Object.entries(wanted)) {
      if (value === undefined || cgroup?.inForce[limit as keyof typeof wanted] !== undefined) continue;
      const reason = `containment.${limit} is set, but its controller is not delegated to a cgroup the gateway can write`;
      if (config.cgroup === 'required') throw new ContainmentError('ECGROUP', reason);
      logger.warn('a configured limit is not in force', { reason });
    }
    return new Containment(config, logger, cgroup, config.cgroupParent ?? ownCgroupDir());
  }

  #cgroup: GatewayCgroup | null;
  readonly keeper: boolean;

  private constructor(
    private readonly config: ContainmentConfig,
    private readonly logger: Logger,
    cgroup: GatewayCgroup | null,
    private readonly sweepParent: string | null,
  ) {
    this.keeper = config.keeper;
    this.#cgroup = cgroup;
  }

  get status(): ContainmentStatus {
    return {
      keeper: this.keeper,
      cgroup: this.#cgroup === null ? 'off' : 'v2',
      pidsMax: this.#cgroup?.inForce.pidsMax ?? null,
      memoryMaxBytes: this.#cgroup?.inForce.memoryMaxBytes ?? null,
    };
  }

  /**
   * Before the first session: proves that a keeper can join a session's cgroup (creating one is not
   * enough — moving a process needs write access up to the common ancestor), else gives the cgroup
   * up ("auto") or throws ECGROUP ("required"); then removes what gateways that were killed left
   * in the cgroup tree. Returns the directories removed.
   */
  async open(): Promise<string[]> {
    const gateway = this.#cgroup;
    if (gateway === null) return [];
    const cell = gateway.session();
    let failure: string | null = null;
    try {
      const probe = await Process.spawn(['sh', '-c', 'exit 0'], {
        detached: true,
        keeper: true,
        cgroup: cell.dir,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const status = await probe.wait();
      if (status.code !== 0)
        failure = probe.readErr().toString().trim() || `the keeper exited ${status.code ?? status.signal}`;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    } finally {
      await gateway.release(cell);
    }
    if (failure !== null) {
      const reason = `a keeper cannot join a cgroup under ${gateway.dir}: ${failure}`;
      if (this.config.cgroup === 'required') throw new ContainmentError('ECGROUP', reason);
      this.logger.info('no cgroup per session: the keeper alone contains sessions', { reason });
      await gateway.close();
      this.#cgroup = null;
      return [];
    }
    return this.sweepParent === null ? [] : sweepStale(this.sweepParent);
  }

  /** A new session's containment. Throws ECGROUP when its cgroup cannot be made. */
  enter(): SessionContainment {
    const gateway = this.#cgroup;
    const cgroup: SessionCgroup | null = gateway === null ? null : gateway.session();
    return {
      keeper: this.keeper,
      cgroup: cgroup?.dir,
      release: async () => {
        if (gateway !== null && cgroup !== null) await gateway.release(cgroup);
      },
    };
  }

  /** At shutdown, after the sessions: kills what is left in their cgroups and removes the tree. */
  async close(): Promise<void> {
    await this.#cgroup?.close();
  }
}
