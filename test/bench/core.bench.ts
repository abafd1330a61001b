// How fast the process core collects output compared with a bare child_process read of the same
// pipe, and how much memory it holds with and without a high-water mark. Each figure is the median
// of a few runs of `head -c 1 GiB /dev/zero`; ratios compare runs made moments apart (noisy hosts).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process } from '../../server/src/process/index.ts';
import { median } from './stats.ts';

const SIZE = 1024 ** 3;
const MiB = 1024 ** 2;
const REPETITIONS = 3;
const HIGH_WATER_MARK = MiB;
const ARGV = ['head', '-c', String(SIZE), '/dev/zero'];

interface Run {
  ms: number;
  peakBytes: number;
}

/** Runs `body`, sampling resident memory above what it was at the start. */
async function measure(body: () => Promise<number>): Promise<Run> {
  globalThis.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const started = process.hrtime.bigint();
  const bytes = await body();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  if (bytes !== SIZE) throw new Error(`expected ${SIZE} bytes, got ${bytes}`);
  globalThis.gc?.();
  return { ms, peakBytes: peak - baseline };
}

/** The baseline: child_process, counting chunks and dropping them. */
function bareRead(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(ARGV[0] ?? 'head', ARGV.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.on('error', reject);
    child.on('close', () => resolve(bytes));
  });
}

/** The fair baseline for collecting everything: the same, keeping every chunk to the end. */
function bareKeep(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(ARGV[0] ?? 'head', ARGV.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(chunks).length));
  });
}

/** The core with a consumer that takes each chunk as it is collected (what a relay does). */
async function coreDraining(): Promise<number> {
  const p = new Process(ARGV, { stdio: ['ignore', 'pipe', 'ignore'] });
  let bytes = 0;
  p.onOutput(() => (bytes += p.read().length));
  await p.wait();
  return bytes + p.read().length;
}

/** The core as asyncproc used it: collect everything, read once at the end. Unbounded memory. */
async function coreCollectAll(): Promise<number> {
  const p = new Process(ARGV, { stdio: ['ignore', 'pipe', 'ignore'] });
  await p.wait();
  return p.read().length;
}

/** The core with a high-water mark and a reader that only comes by every millisecond. */
async function coreHighWaterMark(): Promise<number> {
  const p = new Process(ARGV, { stdio: ['ignore', 'pipe', 'ignore'], highWaterMark: HIGH_WATER_MARK });
  let bytes = 0;
  while (p.poll() === null) {
    bytes += p.read().length;
    await sleep(1);
  }
  await p.wait();
  return bytes + p.read().length;
}

interface Variant {
  name: string;
  body: () => Promise<number>;
}

/**
 * Runs the variants in turns (a, b, a, b, …) rather than one after the other, so that each sees
 * the same state of the heap and of the machine, and prints the median of each.
 */
async function interleaved(variants: Variant[]): Promise<Run[]> {
  const runs: Run[][] = variants.map(() => []);
  for (let i = 0; i < REPETITIONS; i += 1) {
    for (const [index, variant] of variants.entries()) runs[index]?.push(await measure(variant.body));
  }
  return variants.map((variant, index) => {
    const own = runs[index] ?? [];
    const run = { ms: median(own.map((r) => r.ms)), peakBytes: median(own.map((r) => r.peakBytes)) };
    const rate = SIZE / MiB / (run.ms / 1000);
    console.log(
      `${variant.name.padEnd(46)} ${rate.toFixed(0).padStart(6)} MiB/s ${run.ms.toFixed(0).padStart(6)} ms` +
        `   peak +${(run.peakBytes / MiB).toFixed(0)} MiB RSS`,
    );
    return run;
  });
}

console.log(`1 GiB from ${ARGV.join(' ')}, median of ${REPETITIONS} runs each`);
// Bounded variants first: collecting everything leaves the heap large.
const [bare, draining, bounded] = await interleaved([
  { name: 'bare child_process read (baseline)', body: bareRead },
  { name: 'core, reading each chunk as collected', body: coreDraining },
  { name: `core, highWaterMark ${HIGH_WATER_MARK / MiB} MiB, reader every 1 ms`, body: coreHighWaterMark },
]);
const [bareKept, unbounded] = await interleaved([
  { name: 'bare child_process read, keeping it all', body: bareKeep },
  { name: 'core, no highWaterMark, read once at the end', body: coreCollectAll },
]);
if (!bare || !draining || !bounded || !bareKept || !unbounded) throw new Error('a variant did not run');

const ratio = (run: Run, base: Run): string => `${(base.ms / run.ms).toFixed(2)}x`;
console.log(`core vs bare read, both draining:          ${ratio(draining, bare)} (target: at least 0.90x)`);
console.log(`core vs bare read, both keeping it all:    ${ratio(unbounded, bareKept)}`);
console.log(`core with highWaterMark vs bare draining:  ${ratio(bounded, bare)} (bound by the 1 ms reader)`);
console.log(
  `peak memory: ${(unbounded.peakBytes / MiB).toFixed(0)} MiB without a high-water mark, ` +
    `${(bounded.peakBytes / MiB).toFixed(0)} MiB with one of ${HIGH_WATER_MARK / MiB} MiB`,
);
