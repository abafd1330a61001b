// What the kernel knows about a terminal session, read from Linux's /proc: which process group is in
// the foreground (where Ctrl-C goes) and which groups belong to the session (what a hang-up should
// reach). Elsewhere these fall back to the session leader's own group.
import { readProcStat, runningProcesses } from './proc.js';

/** The foreground process group of `leader`'s terminal, or `leader`'s own group if unknown. */
export function foregroundGroup(leader: number): number {
  const tpgid = readProcStat(leader)?.tpgid ?? -1;
  return tpgid > 0 ? tpgid : leader;
}

/**
 * Every process group with a live member in the session `sid`: the shell's own, its foreground
 * job's, and background jobs', which job control puts each in a group of its own. `null` when
 * /proc cannot be read (not Linux); the caller decides what to fall back to.
 *
 * A group listed here had a live member a moment ago, and Linux does not give a pid to a new process
 * while it is still some live process's group or session id: signalling these ids cannot reach a
 * stranger unless the member died in between and the pid counter wrapped around in those
 * microseconds.
 */
export function sessionGroups(sid: number): number[] | null {
  const processes = runningProcesses();
  if (processes === null) return null;
  const groups = new Set<number>();
  for (const stat of processes) {
    if (stat.session === sid && stat.pgrp > 0) groups.add(stat.pgrp);
  }
  return [...groups];
}
