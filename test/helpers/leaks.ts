// Leak checks from /proc (Linux): processes left in a session's process group, a process's
// resident memory. Sessions run in their own group whose id is the session's pid.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { liveProcesses } from './processes.js';

/**
 * Pids of live processes (zombies excluded) whose process group or session is one of `groups`.
 * A session's process leads both (`detached` spawns call setsid, and so does a PTY), so this also
 * finds the jobs a shell put in process groups of their own.
 */
export function processesInGroups(groups: Iterable<number>): number[] {
  const wanted = new Set(groups);
  return liveProcesses()
    .filter((info) => wanted.has(info.pgrp) || wanted.has(info.session))
    .map((info) => info.pid);
}

/** Waits (bounded) until no process is left in `groups`; returns what is left. */
export async function waitForGroupsGone(groups: Iterable<number>, timeoutMs = 5_000): Promise<number[]> {
  const list = [...groups];
  const deadline = Date.now() + timeoutMs;
  let left = processesInGroups(list);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
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
