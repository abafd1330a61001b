// CPU time of a process on this machine, read from /proc, shared by the benchmarks.
import { readFileSync, readdirSync } from 'node:fs';

/** CPU time (user + system) from a /proc stat line, in milliseconds. */
function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** CPU time of a process, in milliseconds: in total and of its main thread alone. */
export function cpuMs(pid: number): { total: number; main: number } {
  let main = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    if (Number(task) === pid) main = statCpuMs(readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8'));
  }
  return { total: statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8')), main };
}
