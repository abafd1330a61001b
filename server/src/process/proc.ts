// The one reader of Linux's /proc process table: the core asks it about terminal sessions
// (terminal.ts) and the tests about what is left running. Elsewhere it answers "unknown" (null).
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
  const found: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat !== null && isRunning(stat)) found.push(stat);
  }
  return found;
}
