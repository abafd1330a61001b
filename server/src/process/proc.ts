// The one reader of Linux's /proc process table: the core asks it about terminal sessions
// (terminal.ts) and the tests about what is left running. Elsewhere it answers "unknown" (null).
// Reading the whole table costs a few microseconds per process on the machine; the narrower
// readers (children, a cgroup's members) cost as much per process they list.
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat that anything here needs. */
export interface ProcStat {
  pid: number;
  /** The command name (at most 15 bytes), as the kernel keeps it; may contain anything. */
  comm: string;
  /** R, S, D, T, Z (zombie: exited, not yet waited for), X (dead), … */
  state: string;
  ppid: number;
  pgrp: number;
  /** Session id: the pid of the session leader (a `detached` spawn or a terminal calls setsid). */
  session: number;
  /** The foreground process group of the controlling terminal; -1 without one. */
  tpgid: number;
}

/** The process's stat, or `null` when it is gone (or there is no /proc). */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm is in parentheses and may itself contain spaces and parentheses: the last ")" ends it.
  // After it: state ppid pgrp session tty_nr tpgid …
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const [state = '?', ppid = '0', pgrp = '0', session = '0', , tpgid = '-1'] = text
    .slice(close + 2)
    .split(' ');
  return {
    pid,
    comm,
    state,
    ppid: Number(ppid),
    pgrp: Number(pgrp),
    session: Number(session),
    tpgid: Number(tpgid),
  };
}

/** Whether the process still runs: zombies (exited, not reaped) and dead entries do not. */
export function isRunning(stat: ProcStat): boolean {
  return stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * The stat of every process that still runs (see `isRunning`); one that vanishes while the table is
 * read is left out. `null` when /proc cannot be read (not Linux).
 */
export function runningProcesses(): ProcStat[] | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  return runningAmong(entries.filter((entry) => /^\d+$/.test(entry)).map(Number));
}

/** The stats of those of `pids` that still run, in order; gone ones are left out. */
export function runningAmong(pids: Iterable<number>): ProcStat[] {
  const found: ProcStat[] = [];
  for (const pid of pids) {
    const stat = readProcStat(pid);
    if (stat !== null && isRunning(stat)) found.push(stat);
  }
  return found;
}

/**
 * `root` and every process descending from it, read from the children lists of /proc (Linux 3.5+,
 * CONFIG_PROC_CHILDREN). `null` when `root`'s list cannot be read: it is gone, or the kernel keeps
 * no such lists. A descendant that exits while the tree is read is left out with its children.
 */
export function descendantsOf(root: number): number[] | null {
  const rootChildren = childrenOf(root);
  if (rootChildren === null) return null;
  const found = [root];
  const seen = new Set(found);
  let next = rootChildren;
  while (next.length > 0) {
    const level: number[] = [];
    for (const pid of next) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      found.push(pid);
      level.push(...(childrenOf(pid) ?? []));
    }
    next = level;
  }
  return found;
}

/** The children of every thread of `pid`; `null` when they cannot be read. */
function childrenOf(pid: number): number[] | null {
  try {
    const children: number[] = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      children.push(...pidList(readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')));
    }
    return children;
  } catch {
    return null;
  }
}

/** The processes in the cgroup directory `dir` (its `cgroup.procs`); `null` when it cannot be read. */
export function cgroupMembers(dir: string): number[] | null {
  try {
    return pidList(readFileSync(`${dir}/cgroup.procs`, 'utf8'));
  } catch {
    return null;
  }
}

/** Pids separated by white space (a children list, a `cgroup.procs` file). */
function pidList(text: string): number[] {
  const pids: number[] = [];
  for (const word of text.split(/\s+/)) if (word !== '') pids.push(Number(word));
  return pids;
}
