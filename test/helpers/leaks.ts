// Leak checks from /proc (Linux): processes left in a session's process group, a process's
// resident memory. Sessions run in their own group whose id is the session's pid.
import { readFileSync, readdirSync } from 'node:fs';

/**
 * Pids of live processes (zombies excluded) whose process group or session is one of `groups`.
 * A session's process leads both (`detached` spawns call setsid, and so does a PTY), so this also
 * finds the jobs a shell put in process groups of their own.
 */
export function processesInGroups(groups: Iterable<number>): number[] {
  const wanted = new Set(groups);
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const pgrp = Number(fields[2]);
    const sid = Number(fields[3]);
    if (state !== 'Z' && (wanted.has(pgrp) || wanted.has(sid))) found.push(Number(name));
  }
  return found;
}

/** Waits (bounded) until no process is left in `groups`; returns what is left. */
export async function waitForGroupsGone(groups: Iterable<number>, timeoutMs = 5_000): Promise<number[]> {
  const list = [...groups];
  const deadline = Date.now() + timeoutMs;
  let left = processesInGroups(list);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = processesInGroups(list);
  }
  return left;
}

/** Resident set size of `pid` in bytes. */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
