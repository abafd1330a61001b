// How fast output comes through a pseudo-terminal: the terminal alone (util-linux `script` copying
// its master to a pipe), node-pty alone, and PtyProcess as the server uses it (`collect: false`,
// a listener per chunk). Every byte is counted; rates are medians of a few interleaved runs and
// shown as ratios to the terminal alone, measured moments apart (these machines are noisy).
import { spawn } from 'node:child_process';
import { spawn as spawnPty } from 'node-pty';
import { PtyProcess } from '../../server/src/process/index.ts';
import { median } from './stats.ts';

const SIZE = 256 * 1024 ** 2;
const MB = 1e6;
const REPETITIONS = 3;
const ARGV = ['head', '-c', String(SIZE), '/dev/zero'];

interface Variant {
  name: string;
  /** Runs the program once and resolves with the number of bytes received. */
  body: () => Promise<number>;
}

/** The terminal alone: `script` copies the master to its stdout, a pipe counted here. */
function rawPty(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfc', ARGV.join(' '), '/dev/null'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.on('error', reject);
    child.on('close', () => resolve(bytes));
  });
}

/** node-pty alone: what arrives before its exit event (it may drop the end). */
function nodePty(): Promise<number> {
  return new Promise((resolve) => {
    const pty = spawnPty(ARGV[0] ?? 'head', ARGV.slice(1), { encoding: null });
    let bytes = 0;
    pty.onData((chunk: string | Buffer) => (bytes += chunk.length));
    pty.onExit(() => resolve(bytes));
  });
}

/** The core as the gateway uses it. */
async function ptyProcess(): Promise<number> {
  const pty = new PtyProcess(ARGV, { collect: false });
  let bytes = 0;
  pty.onOutput(({ data }) => (bytes += data.length));
  await pty.wait();
  return bytes;
}

const variants: Variant[] = [
  { name: 'terminal alone (script)', body: rawPty },
  { name: 'node-pty alone', body: nodePty },
  { name: 'PtyProcess, collect: false + onOutput', body: ptyProcess },
];

console.log(
  `${SIZE / 1024 ** 2} MiB from ${ARGV.join(' ')} on a terminal, median of ${REPETITIONS} runs each`,
);
const rates: number[][] = variants.map(() => []);
const shortfalls: number[][] = variants.map(() => []);
for (let run = 0; run < REPETITIONS; run += 1) {
  for (const [index, variant] of variants.entries()) {
    const started = process.hrtime.bigint();
    const bytes = await variant.body();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates[index]?.push(bytes / MB / seconds);
    shortfalls[index]?.push(SIZE - bytes);
  }
}
const baseline = median(rates[0] ?? []);
for (const [index, variant] of variants.entries()) {
  const rate = median(rates[index] ?? []);
  const lost = shortfalls[index] ?? [];
  const bytes = lost.every((n) => n === 0) ? 'every byte' : `bytes missing per run: ${lost.join(', ')}`;
  console.log(
    `${variant.name.padEnd(40)} ${rate.toFixed(0).padStart(5)} MB/s  ${(rate / baseline).toFixed(2)}x  ${bytes}`,
  );
}
if ((shortfalls[2] ?? []).some((n) => n !== 0)) {
  console.error('PtyProcess lost output');
  process.exitCode = 1;
}
