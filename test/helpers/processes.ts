// Helpers for tests that start real processes: find what is still alive, and make sure every process
// a test started is gone when it ends.
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcStat, runningProcesses, type ProcStat } from '../../server/src/process/index.ts';

/**
 * Every process that is alive. Zombies are left out on purpose: pid 1 here is no init, so orphans
 * that died are never reaped and linger in the table with state Z although nothing of them runs.
 */
export function liveProcesses(): ProcStat[] {
  const processes = runningProcesses();
  if (processes === null) throw new Error('cannot read /proc: these tests need Linux');
  return processes;
}

/** Live descendants of `root` (default: this test process), at any depth. */
export function liveDescendants(root: number = process.pid): ProcStat[] {
  const all = liveProcesses();
  const found: ProcStat[] = [];
  let parents = new Set([root]);
  while (parents.size > 0) {
    const children = all.filter((info) => parents.has(info.ppid));
    found.push(...children);
    parents = new Set(children.map((info) => info.pid));
  }
  return found;
}

/** Live members of process group `pgid`, wherever they were reparented to. */
export function liveInGroup(pgid: number): ProcStat[] {
  return liveProcesses().filter((info) => info.pgrp === pgid);
}

export function isAlive(pid: number): boolean {
  const info = readProcStat(pid);
  return info !== null && info.state !== 'Z' && info.state !== 'X';
}

/** Polls `predicate` until it holds; throws after `timeoutMs` with `what` in the message. */
export async function waitUntil(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(10);
  }
}

export interface Terminable {
  terminate(options: { gracePeriodMs: number }): Promise<unknown>;
}

/** Kills whatever is left of these pids and process groups; for `afterEach` hooks. */
export class Cleanup {
  // Children of the test process that are not the tests' own: tsx's esbuild service.
  readonly #preexisting = new Set(liveDescendants().map((info) => info.pid));
  #pids = new Set<number>();
  #groups = new Set<number>();
  #tasks: (() => Promise<unknown>)[] = [];

  pid(pid: number): void {
    this.#pids.add(pid);
  }

  group(pgid: number): void {
    this.#groups.add(pgid);
  }

  /** Something to await at the end. */
  add(task: () => Promise<unknown>): void {
    this.#tasks.push(task);
  }

  /** Terminates `target` at the end (at once, no grace period) and returns it. */
  process<T extends Terminable>(target: T): T {
    this.add(() => target.terminate({ gracePeriodMs: 0 }));
    return target;
  }

  async run(): Promise<void> {
    const tasks = this.#tasks.splice(0);
    await Promise.allSettled(tasks.map((task) => task()));
    for (const pgid of this.#groups) {
      if (liveInGroup(pgid).length > 0) signal(-pgid);
    }
    for (const pid of this.#pids) {
      if (isAlive(pid)) signal(pid);
    }
    this.#groups.clear();
    this.#pids.clear();
    // A process the test forgot is a failure, not just litter: kill it, then say so.
    const ours = (): ProcStat[] => liveDescendants().filter((info) => !this.#preexisting.has(info.pid));
    const gone = await waitUntil('no descendant is left', () => ours().length === 0, 5_000).then(
      () => true,
      () => false,
    );
    const leftovers = ours();
    if (gone || leftovers.length === 0) return;
    for (const info of leftovers) signal(info.pid);
    const names = leftovers.map((info) => `${info.pid} ${info.comm}`).join(', ');
    throw new Error(`the test left processes behind: ${names}`);
  }
}

function signal(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // already gone
  }
}
