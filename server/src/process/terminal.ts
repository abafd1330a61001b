// What the kernel knows about a terminal session, read from Linux's /proc: which process group is in
// the foreground (where Ctrl-C goes) and which groups belong to the session (what a hang-up should
// reach). Elsewhere these fall back to the session leader's own group.
import { cgroupMembers, descendantsOf, readProcStat, runningAmong, runningProcesses } from './proc.js';
import type { ProcStat } from './proc.js';

/** The foreground process group of `leader`'s terminal, or `leader`'s own group if unknown. */
export function foregroundGroup(leader: number): number {
  const tpgid = readProcStat(leader)?.tpgid ?? -1;
  return tpgid > 0 ? tpgid : leader;
}

/**
 * Where a session's processes can be, narrower than the whole process table. Reading the table costs
 * every session the same few microseconds per process on the machine: with a thousand terminal
 * sessions open, each hang-up would read two thousand processes, and closing them all would take
 * seconds of the event loop. A scope costs as much per process of the session.
 */
export interface SessionScope {
  /** The session's cgroup directories: everything the program starts runs in any one of them. */
  readonly cgroups: readonly string[];
  /**
   * The session leader is the keeper, a child subreaper: while it lives, every process of its
   * session descends from it (what a double fork orphans is reparented to it).
   */
  readonly keeper: boolean;
}

const UNSCOPED: SessionScope = { cgroups: [], keeper: false };

/**
 * Every process group with a live member in the session `sid`: the shell's own, its foreground
 * job's, and background jobs', which job control puts each in a group of its own. Only the
 * processes `scope` names are read where it can (see SessionScope), else the whole table. `null`
 * when /proc cannot be read (not Linux); the caller decides what to fall back to.
 *
 * A group listed here had a live member a moment ago, and Linux does not give a pid to a new process
 * while it is still some live process's group or session id: signalling these ids cannot reach a
 * stranger unless the member died in between and the pid counter wrapped around in those
 * microseconds.
 */
export function sessionGroups(sid: number, scope: SessionScope = UNSCOPED): number[] | null {
  const processes = scopedProcesses(sid, scope) ?? runningProcesses();
  if (processes === null) return null;
  const groups = new Set<number>();
  for (const stat of processes) {
    if (stat.session === sid && stat.pgrp > 0) groups.add(stat.pgrp);
  }
  return [...groups];
}

/** The live processes of the first source of `scope` that can be read, the leader included. */
function scopedProcesses(sid: number, scope: SessionScope): ProcStat[] | null {
  for (const dir of scope.cgroups) {
    // A cgroup v2 cell holds the program but not the keeper, which stays outside it.
    const members = cgroupMembers(dir);
    if (members !== null) return runningAmong([sid, ...members.filter((pid) => pid !== sid)]);
  }
  const tree = scope.keeper ? descendantsOf(sid) : null;
  return tree === null ? null : runningAmong(tree);
}
