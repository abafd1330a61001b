// What the kernel knows about a terminal session, read from Linux's /proc: which process group is in
// the foreground (where Ctrl-C goes) and which groups belong to the session (what a hang-up should
// reach). Elsewhere these fall back to the session leader's own group.
import { readdirSync, readFileSync } from 'node:fs';

interface Stat {
  state: string;
  pgrp: number;
  session: number;
  tpgid: number;
}

function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may contain anything; the fields after it are plain.
  // After ")": state ppid pgrp session tty_nr tpgid …
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state = '?', , pgrp = '0', session = '0', , tpgid = '-1'] = fields;
  return { state, pgrp: Number(pgrp), session: Number(session), tpgid: Number(tpgid) };
}

/** The foreground process group of `leader`'s terminal, or `leader`'s own group if unknown. */
export function foregroundGroup(leader: number): number {
  const tpgid = readStat(leader)?.tpgid ?? -1;
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
  const groups = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== null && stat.session === sid && stat.state !== 'Z' && stat.pgrp > 0) groups.add(stat.pgrp);
  }
  return [...groups];
}
