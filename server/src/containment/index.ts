// What keeps a session's processes from outliving it: the keeper (server/native/keeper.c) and,
// where the host delegates cgroup v2 to the gateway, a cgroup per session. Decided once at start-up
// from `containment` in the configuration; docs/security.md, "Containment", says what each gives.
import type { ContainmentConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { Process, keeperUnavailable } from '../process/index.js';
import { GatewayCgroup, PidsV1Cgroup, sweepStale, type SessionCgroup } from './cgroup.js';
import { ownCgroupDir, ownV1Dir } from './cgroup-paths.js';
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
  /** The cgroup directories the keeper joins (v2, and v1 pids where that limits instead). */
  cgroup: string[];
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
    // Without a delegated v2 pids controller, a writable v1 pids hierarchy can still set pids.max.
    let pidsV1: PidsV1Cgroup | null = null;
    const v1Parent =
      config.pidsMax !== undefined && cgroup?.inForce.pidsMax === undefined ? ownV1Dir('pids') : null;
    if (config.pidsMax !== undefined && v1Parent !== null && config.cgroup !== 'off') {
      try {
        pidsV1 = PidsV1Cgroup.create(v1Parent, config.pidsMax);
      } catch (error) {
        if (!(error instanceof ContainmentError)) throw error;
      }
    }
    const inForce = {
      pidsMax: cgroup?.inForce.pidsMax ?? pidsV1?.pidsMax,
      memoryMaxBytes: cgroup?.inForce.memoryMaxBytes,
    };
    for (const limit of ['pidsMax', 'memoryMaxBytes'] as const) {
      if (config[limit] === undefined || inForce[limit] !== undefined) continue;
      const reason = `containment.${limit} is set, but its controller is not delegated to a cgroup the gateway can write`;
      if (config.cgroup === 'required') {
        // Nothing runs in them yet: they go now rather than wait for the next start's sweep.
        cgroup?.abandon();
        pidsV1?.abandon();
        throw new ContainmentError('ECGROUP', reason);
      }
      logger.warn('a configured limit is not in force', { reason });
    }
    return new Containment(config, logger, cgroup, pidsV1, {
      v2: config.cgroupParent ?? ownCgroupDir(),
      v1: v1Parent,
    });
  }

  #cgroup: GatewayCgroup | null;
  #pidsV1: PidsV1Cgroup | null;
  readonly keeper: boolean;

  private constructor(
    private readonly config: ContainmentConfig,
    private readonly logger: Logger,
    cgroup: GatewayCgroup | null,
    pidsV1: PidsV1Cgroup | null,
    /** Where gateways that were killed may have left their directories. */
    private readonly sweepParents: { v2: string | null; v1: string | null },
  ) {
    this.keeper = config.keeper;
    this.#cgroup = cgroup;
    this.#pidsV1 = pidsV1;
  }

  get status(): ContainmentStatus {
    return {
      keeper: this.keeper,
      cgroup: this.#cgroup === null ? 'off' : 'v2',
      pidsMax: this.#cgroup?.inForce.pidsMax ?? this.#pidsV1?.pidsMax ?? null,
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
    if (this.#cgroup === null && this.#pidsV1 === null) return [];
    const cell = await this.enter();
    let failure: string | null = null;
    try {
      const probe = await Process.spawn(['sh', '-c', 'exit 0'], {
        detached: true,
        keeper: true,
        cgroup: cell.cgroup,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const status = await probe.wait();
      if (status.code !== 0) {
        failure = probe.readErr().toString().trim() || `the keeper exited ${status.code ?? status.signal}`;
      }
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    } finally {
      await cell.release();
    }
    if (failure !== null) {
      const reason = `a keeper cannot join the session cgroups (${cell.cgroup.join(', ')}): ${failure}`;
      if (this.config.cgroup === 'required') throw new ContainmentError('ECGROUP', reason);
      this.logger.warn('no cgroup per session: the keeper alone contains sessions', { reason });
      await this.close();
      this.#cgroup = null;
      this.#pidsV1 = null;
      return [];
    }
    const swept: string[] = [];
    if (this.#cgroup !== null && this.sweepParents.v2 !== null)
      swept.push(...(await sweepStale(this.sweepParents.v2)));
    if (this.#pidsV1 !== null && this.sweepParents.v1 !== null)
      swept.push(...(await sweepStale(this.sweepParents.v1)));
    return swept;
  }

  /** A new session's containment. Throws ECGROUP when its cgroup cannot be made. */
  async enter(): Promise<SessionContainment> {
    // Nothing is in a cgroup unless the keeper is there to join it (the schema requires both).
    if (!this.keeper) return { keeper: false, cgroup: [], release: () => Promise.resolve() };
    const v2 = this.#cgroup;
    const v1 = this.#pidsV1;
    const v2Cell: SessionCgroup | null = v2 === null ? null : await v2.session();
    let v1Cell: SessionCgroup | null = null;
    try {
      v1Cell = v1 === null ? null : await v1.session();
    } catch (error) {
      if (v2 !== null && v2Cell !== null) void v2.release(v2Cell);
      throw error;
    }
    return {
      keeper: true,
      // slice: a copy V8 sizes exactly, where flatMap's array keeps room for 17 entries (~150
      // bytes) for the session's whole life.
      cgroup: [v2Cell, v1Cell].flatMap((cell) => (cell === null ? [] : [cell.dir])).slice(),
      release: async () => {
        await Promise.all([
          v2 !== null && v2Cell !== null ? v2.release(v2Cell) : undefined,
          v1 !== null && v1Cell !== null ? v1.release(v1Cell) : undefined,
        ]);
      },
    };
  }

  /** At shutdown, after the sessions: kills what is left in their cgroups and removes the tree. */
  async close(): Promise<void> {
    await Promise.all([this.#cgroup?.close(), this.#pidsV1?.close()]);
  }
}
