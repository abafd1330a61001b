// Adds shellgate's exec adapter (shellgate-exec.mjs) to a copy of the peer harness (../shared/bench,
// set up as its README says), at the extension point its adapters/index.mjs names. Idempotent.
//   node test/bench/peers/install.mjs /tmp/peer-bench
// then, from the shellgate checkout:
//   SHELLGATE_DIR=$PWD node /tmp/peer-bench/run.mjs spawn --adapters shellgate-exec,shellgate,websocketd
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = process.argv[2];
if (bench === undefined) {
  console.error('usage: node test/bench/peers/install.mjs <peer harness folder, e.g. /tmp/peer-bench>');
  process.exit(2);
}
const adapters = join(bench, 'adapters');
copyFileSync(
  fileURLToPath(new URL('shellgate-exec.mjs', import.meta.url)),
  join(adapters, 'shellgate-exec.mjs'),
);
const index = join(adapters, 'index.mjs');
let text = readFileSync(index, 'utf8');
if (!text.includes("'shellgate-exec'")) {
  text = `import shellgateExec from './shellgate-exec.mjs';\n${text}`;
  const registry = 'export const adapters = {\n';
  if (!text.includes(registry))
    throw new Error(`${index}: no "export const adapters = {" to add the adapter to`);
  text = text.replace(registry, `${registry}  'shellgate-exec': shellgateExec,\n`);
  writeFileSync(index, text);
}
console.log(`shellgate-exec added to ${adapters}`);
