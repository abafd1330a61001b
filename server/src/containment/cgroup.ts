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
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
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
    // Usually all in it ended with the keeper: then one rmdir is all there is to do (it fails with
    // EBUSY while anything is left in it).
    const removed = await rmdir(this.dir).then(
      () => true,
      (error: unknown) => error instanceof Error && 'code' in error && error.code === 'ENOENT',
    );
    if (removed) return;
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

/**
 * Creates the gateway's directory under `parent` and checks that `marker` is in it (the hierarchy is
 * the kind wanted); removes it again and throws ECGROUP, saying it is not `wanted`, otherwise.
 */
function createGatewayDir(parent: string, marker: string, wanted: string): string {
  const dir = join(parent, `shellgate-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(dir);
  } catch (error) {
    throw new ContainmentError('ECGROUP', `cannot create the cgroup ${dir}: ${errorText(error)}`, {
      cause: error,
    });
  }
  if (!existsSync(join(dir, marker))) {
    rmdirSync(dir);
    throw new ContainmentError('ECGROUP', `${parent} is not ${wanted}`);
  }
  return dir;
}

/**
 * What the v2 and v1 pids hierarchies share: the gateway's directory, a directory per session under
 * it and their removal. Each hierarchy says only which limits a session's directory gets; killing is
 * SessionCgroup.remove's, the same for both (cgroup.kill where it is, signalling where it is not).
 */
abstract class GatewayDir {
  #sessions = 0;
  readonly #live = new Set<SessionCgroup>();

  protected constructor(readonly dir: string) {}

  /** Writes the limits into a new session's directory. */
  protected abstract writeLimits(sessionDir: string): Promise<void>;

  /**
   * A new session's directory, with the limits written. Rejects with ECGROUP. Off the event loop:
   * a mkdir in cgroupfs takes the kernel's cgroup lock, which another session's exit may hold.
   */
  async session(): Promise<SessionCgroup> {
    this.#sessions += 1;
    const dir = join(this.dir, `session-${this.#sessions}`);
    try {
      await mkdir(dir);
      await this.writeLimits(dir);
    } catch (error) {
      await rmdir(dir).catch(() => {
        // It was never created, or it stays for the next start's sweep.
      });
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

/** The gateway's own cgroup v2 directory, under which each session gets one. */
export class GatewayCgroup extends GatewayDir {
  /**
   * Creates the gateway's directory under `parent` and checks it can do the job: `cgroup.kill`
   * exists (Linux 5.14+). Limits are applied when their controllers can be delegated to it;
   * `inForce` says which are. Throws ECGROUP with the reason otherwise.
   */
  static create(parent: string, limits: CgroupLimits): GatewayCgroup {
    const dir = createGatewayDir(
      parent,
      'cgroup.kill',
      'a cgroup v2 directory with cgroup.kill (Linux 5.14+)',
    );
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

  private constructor(
    dir: string,
    /** The limits written into every session's directory. */
    readonly inForce: CgroupLimits,
  ) {
    super(dir);
  }

  protected async writeLimits(sessionDir: string): Promise<void> {
    if (this.inForce.pidsMax !== undefined)
      await writeFile(join(sessionDir, 'pids.max'), String(this.inForce.pidsMax));
    if (this.inForce.memoryMaxBytes !== undefined) {
      await writeFile(join(sessionDir, 'memory.max'), String(this.inForce.memoryMaxBytes));
    }
  }
}

/**
 * Where cgroup v2 cannot limit processes (no pids controller delegated) but a cgroup v1 pids
 * hierarchy is writable: a directory per session there only for pids.max. The v2 cgroup, if any,
 * still does the killing; the keeper and removal (killing what it lists) do it here otherwise.
 */
export class PidsV1Cgroup extends GatewayDir {
  static create(parent: string, pidsMax: number): PidsV1Cgroup {
    return new PidsV1Cgroup(
      createGatewayDir(parent, 'pids.max', 'a cgroup v1 pids hierarchy (no pids.max)'),
      pidsMax,
    );
  }

  private constructor(
    dir: string,
    readonly pidsMax: number,
  ) {
    super(dir);
  }

  protected async writeLimits(sessionDir: string): Promise<void> {
    await writeFile(join(sessionDir, 'pids.max'), String(this.pidsMax));
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
