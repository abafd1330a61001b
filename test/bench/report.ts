// The verdict lines the benchmarks print, and the exit status they add up to (`npm run bench`
// counts a benchmark that exits non-zero as one that missed a target).
import { loadavg } from 'node:os';

let missed = 0;

/** The machine's load averages (1, 5, 15 minutes), for the lines that say how busy it was. */
export function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

/** Prints `PASS  line`, `FAIL  line` (a target missed) or, with no target, `INFO  line`. */
export function report(line: string, ok?: boolean): void {
  if (ok === false) missed += 1;
  console.log(`${ok === undefined ? 'INFO' : ok ? 'PASS' : 'FAIL'}  ${line}`);
}

/** How many targets were missed so far. */
export function missedTargets(): number {
  return missed;
}

/** Ends with exit status 1 when a target was missed, else 0. */
export function setExitStatus(): void {
  process.exitCode = missed === 0 ? 0 : 1;
}
