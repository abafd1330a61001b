// A cgroup v2 directory per session, inside one per gateway:
//
//   <parent>/shellgate-<gateway pid>-<random>/session-<n>
//
// The keeper joins its session's directory before the program starts, so everything the program
// starts is in it and `cgroup.kill` ends all of it at once, whatever groups or sessions it made.
// pids.max and memory.max are written there when the controllers are delegated. A gateway that was
// killed leaves its directory behind: the next one sweeps it (sweepStale).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContainmentError } from './errors.js';

export interface CgroupLimits {
  pidsMax?: number | undefined;
  memoryMaxBytes?: number | undefined;
}

const GATEWAY_DIR = /^shellgate-(\d+)-[0-9a-f]+$/;
/** How long removal waits for a killed cgroup to empty (the kernel kills asynchronously). */
const EMPTY_POLL_MS = 20;
const EMPTY_POLLS = 250;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function controllers(dir: string): Set<string> {
  try {
    return new Set(readFileSync(join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/** Asks `dir` to hand `wanted` down to its children; true when they then are. */
function delegate(dir: string, wanted: readonly string[]): boolean {
  const missing = wanted.filter((name) => !controllers(dir).has(name));
  if (missing.length > 0) return false;
  try {
    writeFileSync(join(dir, 'cgroup.subtree_control'), wanted.map((name) => `+${name}`).join(' '));
    return true;
  } catch {
    return false;
  }
}

/** The cgroup one session runs in. */
export class SessionCgroup {
  constructor(readonly dir: string) {}

  /**
   * Kills every process in it, then removes it once it is empty: cgroup v2 has cgroup.kill (Linux
   * 5.14+); a v1 hierarchy only lists its processes, which are killed until none is left.
   */
  async remove(): Promise<void> {
    const killed = await writeFile(join(this.dir, 'cgroup.kill'), '1').then(
      () => true,
      () => false,
    );
    for (let poll = 0; poll < EMPTY_POLLS; poll += 1) {
      const procs = await readFile(join(this.dir, 'cgroup.procs'), 'utf8').catch(() => null);
      if (procs === null) return; // gone already
      const pids = procs.split('\n').filter((line) => line !== '');
      if (pids.length === 0) break;
      if (!killed) for (const pid of pids) kill(Number(pid));
      await sleep(EMPTY_POLL_MS);
    }
    await rmdir(this.dir).catch(() => undefined);
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** The gateway's own directory, under which each session gets one. */
export class GatewayCgroup {
  /**
   * Creates the gateway's directory under `parent` and checks it can do the job: `cgroup.kill`
   * exists (Linux 5.14+). Limits are applied when their controllers can be delegated to it;
   * `inForce` says which are. Throws ECGROUP with the reason otherwise.
   */
  static create(parent: string, limits: CgroupLimits): GatewayCgroup {
    const dir = join(parent, `shellgate-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      mkdirSync(dir);
    } catch (error) {
      throw new ContainmentError('ECGROUP', `cannot create the cgroup ${dir}: ${errorText(error)}`, {
        cause: error,
      });
    }
    if (!existsSync(join(dir, 'cgroup.kill'))) {
      rmdirSync(dir);
      throw new ContainmentError(
        'ECGROUP',
        `${parent} is not a cgroup v2 directory with cgroup.kill (Linux 5.14+)`,
      );
    }
    const wanted = [
      ...(limits.pidsMax === undefined ? [] : ['pids']),
      ...(limits.memoryMaxBytes === undefined ? [] : ['memory']),
    ];
    // The parent hands them to the gateway's directory (which works where it has no processes of its
    // own, or is the root), which hands them to each session's.
    if (wanted.length > 0 && !controllers(dir).has(wanted[0] ?? '')) delegate(parent, wanted);
    const delegated = wanted.length > 0 && delegate(dir, wanted);
    return new GatewayCgroup(dir, {
      pidsMax: delegated ? limits.pidsMax : undefined,
      memoryMaxBytes: delegated ? limits.memoryMaxBytes : undefined,
    });
  }

  #sessions = 0;
  readonly #live = new Set<SessionCgroup>();

  private constructor(
    readonly dir: string,
    /** The limits written into every session's directory. */
    readonly inForce: CgroupLimits,
  ) {}

  /** A new session's directory, with the limits in force written. Throws ECGROUP. */
  session(): SessionCgroup {
    this.#sessions += 1;
    const dir = join(this.dir, `session-${this.#sessions}`);
    try {
      mkdirSync(dir);
      if (this.inForce.pidsMax !== undefined)
        writeFileSync(join(dir, 'pids.max'), String(this.inForce.pidsMax));
      if (this.inForce.memoryMaxBytes !== undefined) {
        writeFileSync(join(dir, 'memory.max'), String(this.inForce.memoryMaxBytes));
      }
    } catch (error) {
      try {
        rmdirSync(dir);
      } catch {
        // It was never created, or it stays for the next start's sweep.
      }
      throw new ContainmentError('ECGROUP', `cannot set up the session cgroup ${dir}: ${errorText(error)}`, {
        cause: error,
      });
    }
    const cgroup = new SessionCgroup(dir);
    this.#live.add(cgroup);
    return cgroup;
  }

  /** Removes a session's directory (killing what is left in it). */
  async release(cgroup: SessionCgroup): Promise<void> {
    await cgroup.remove();
    this.#live.delete(cgroup);
  }

  /** Removes its directory before any session was started in it. */
  abandon(): void {
    try {
      rmdirSync(this.dir);
    } catch {
      // left for the next start's sweep
    }
  }

  /** Kills and removes every session's directory, then its own. */
  async close(): Promise<void> {
    await Promise.all([...this.#live].map((cgroup) => this.release(cgroup)));
    await rmdir(this.dir).catch(() => undefined);
  }
}

/**
 * Where cgroup v2 cannot limit processes (no pids controller delegated) but a cgroup v1 pids
 * hierarchy is writable: a directory per session there only for pids.max. The v2 cgroup, if any,
 * still does the killing; the keeper and removal (killing what it lists) do it here otherwise.
 */
export class PidsV1Cgroup {
  static create(parent: string, pidsMax: number): PidsV1Cgroup {
    const dir = join(parent, `shellgate-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      mkdirSync(dir);
    } catch (error) {
      throw new ContainmentError('ECGROUP', `cannot create the cgroup ${dir}: ${errorText(error)}`, {
        cause: error,
      });
    }
    if (!existsSync(join(dir, 'pids.max'))) {
      rmdirSync(dir);
      throw new ContainmentError('ECGROUP', `${parent} is not a cgroup v1 pids hierarchy (no pids.max)`);
    }
    return new PidsV1Cgroup(dir, pidsMax);
  }

  #sessions = 0;
  readonly #live = new Set<SessionCgroup>();

  private constructor(
    readonly dir: string,
    readonly pidsMax: number,
  ) {}

  session(): SessionCgroup {
    this.#sessions += 1;
    const dir = join(this.dir, `session-${this.#sessions}`);
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pids.max'), String(this.pidsMax));
    } catch (error) {
      try {
        rmdirSync(dir);
      } catch {
        // never created, or left for the next start's sweep
      }
      throw new ContainmentError('ECGROUP', `cannot set up the session cgroup ${dir}: ${errorText(error)}`, {
        cause: error,
      });
    }
    const cgroup = new SessionCgroup(dir);
    this.#live.add(cgroup);
    return cgroup;
  }

  async release(cgroup: SessionCgroup): Promise<void> {
    await cgroup.remove();
    this.#live.delete(cgroup);
  }

  /** Removes its directory before any session was started in it. */
  abandon(): void {
    try {
      rmdirSync(this.dir);
    } catch {
      // left for the next start's sweep
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#live].map((cgroup) => this.release(cgroup)));
    await rmdir(this.dir).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return !(error instanceof Error && 'code' in error && error.code === 'ESRCH');
  }
}

/**
 * Removes the directories of gateways that are no longer running (killed, so they could not), after
 * killing whatever still runs in them. Returns the directories removed.
 */
export async function sweepStale(parent: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of entries) {
    const pid = GATEWAY_DIR.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    const dir = join(parent, name);
    let sessions: string[] = [];
    try {
      sessions = readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      continue;
    }
    await Promise.all(sessions.map((session) => new SessionCgroup(join(dir, session)).remove()));
    await rmdir(dir).then(
      () => swept.push(dir),
      () => undefined,
    );
  }
  return swept;
}
