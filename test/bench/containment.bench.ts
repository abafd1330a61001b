// What containment costs a session's start and end: sessions a second through the process core,
// the way the gateway starts them (`sh -c true`, a pipe session in its own group; a PTY session),
// bare, under the keeper, and under the keeper in a cgroup of its own (when this host lets the
// gateway write cgroup v2). Rounds alternate the variants so that a noisy host hits each alike;
// the figures are the medians, and the ratios are against the bare start in the same run.
import { createLogger } from '../../server/src/log/logger.ts';
import { Containment } from '../../server/src/containment/index.ts';
import { Process, PtyProcess } from '../../server/src/process/index.ts';
import { rate } from './exec-rate.ts';
import { report, setExitStatus } from './report.ts';
import { median } from './stats.ts';

// By absolute path: spawn.c looks a bare name up by trying posix_spawn in each PATH directory, a
// clone per miss, while the keeper's execvp looks it up in-process — `sh` by name made the keeper
// look 2-3x faster than bare, which measures the lookup, not containment.
const PROGRAM = ['/bin/sh', '-c', 'true'];
const COUNT = 150;
const PARALLEL = 4;
const ROUNDS = 5;
/** The keeper adds a fork and an exec per session: it should cost less than half the rate. */
const TARGET_RATIO = 0.5;

const logger = createLogger('silent');
let cgroups: Containment | null = null;
try {
  cgroups = Containment.create({ keeper: true, cgroup: 'required' }, logger);
} catch (error) {
  console.log(`no cgroup variant: ${error instanceof Error ? error.message : String(error)}`);
}

type Variant = 'bare' | 'keeper' | 'keeper+cgroup';
const variants: Variant[] = cgroups === null ? ['bare', 'keeper'] : ['bare', 'keeper', 'keeper+cgroup'];

/** How each mode starts its process; the containment options are added per variant. */
const spawners = {
  pipe: (options: { keeper: boolean; cgroup?: string[] }) =>
    Process.spawn(PROGRAM, { detached: true, killGroupOnExit: true, collect: false, ...options }),
  pty: (options: { keeper: boolean; cgroup?: string[] }) =>
    PtyProcess.spawn(PROGRAM, { killGroupOnExit: true, collect: false, ...options }),
};

/** One session of `mode` under `variant`'s containment, from its start to its cgroup's release. */
async function session(mode: keyof typeof spawners, variant: Variant): Promise<void> {
  const cell = variant === 'keeper+cgroup' ? await cgroups?.enter() : undefined;
  const child = await spawners[mode]({
    keeper: variant !== 'bare',
    ...(cell === undefined ? {} : { cgroup: cell.cgroup }),
  });
  await child.wait();
  await cell?.release();
}

for (const mode of ['pipe', 'pty'] as const) {
  const rates = new Map<Variant, number[]>(variants.map((variant) => [variant, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const variant of variants) {
      rates.get(variant)?.push(await rate(COUNT, PARALLEL, () => session(mode, variant)));
    }
  }
  const bare = median(rates.get('bare') ?? []);
  console.log(`${mode} sessions, bare: ${bare.toFixed(0)}/s`);
  for (const variant of variants.slice(1)) {
    const contained = median(rates.get(variant) ?? []);
    const ratio = contained / bare;
    report(
      `${mode} sessions, ${variant}: ${contained.toFixed(0)}/s = ${ratio.toFixed(2)}x bare (target: at least ${TARGET_RATIO}x)`,
      ratio >= TARGET_RATIO,
    );
  }
}
await cgroups?.close();
setExitStatus();
