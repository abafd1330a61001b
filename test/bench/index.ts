// `npm run bench`: runs every `*.bench.ts` beside this file, each in its own Node process so that
// peak-memory figures of one benchmark are not polluted by another. Each benchmark prints its own
// figures as ratios against a baseline measured in the same run (these machines are noisy).
// Usage: npm run bench -- [substring-filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

let failures = 0;
for (const name of benches) {
  console.log(`\n## ${name}`);
  // --single-threaded-gc: the bench process is the client. On two cores, V8's parallel GC helpers
  // in the client take CPU from the gateway it measures (the relay ran 10-20% slower with them).
  const flags = ['--expose-gc', '--single-threaded-gc', '--import', 'tsx'];
  const result = spawnSync(process.execPath, [...flags, join(here, name)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failures += 1;
}
console.log(`\n${benches.length - failures} benchmarks completed, ${failures} failed`);
process.exitCode = failures === 0 ? 0 : 1;
