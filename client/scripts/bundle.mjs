#!/usr/bin/env node
// `npm run build -w client`: the standalone client for operators without the repository —
// client/dist/shellgate.mjs (the compiled client with @shellgate/shared, zod and ws inlined, run by
// src/launcher.ts with a code cache; Node ≥ 20 and nothing else), and
// client/dist/shellgate-client.tgz, an npm package of that one file whose `shellgate` command the
// gateway's README installs with `npm install -g URL`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * zod's API object re-exports every locale it ships (`z.locales`, ~260 KB minified, half of the
 * bundle and of what node parses at each start); the client never reads them, and zod's English
 * messages come from `locales/en.js`, which stays. The re-export resolves to an empty module.
 */
const withoutZodLocales = {
  name: 'without-zod-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};
const dist = join(root, 'dist');
const bundle = join(dist, 'shellgate.mjs');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'inline',
  logLevel: 'warning',
};

// The client itself, as CommonJS source text for the launcher to compile with its code cache.
const client = await build({
  ...common,
  entryPoints: [join(dist, 'bin.js')],
  write: false,
  format: 'cjs',
  // ws's optional native helpers: loaded if present, not bundled.
  external: ['bufferutil', 'utf-8-validate'],
  plugins: [withoutZodLocales],
});
const clientSource = client.outputFiles[0].text.replace(/^#!.*\n/, '');

await build({
  ...common,
  entryPoints: [join(dist, 'launcher.js')],
  outfile: bundle,
  format: 'esm',
  define: {
    SHELLGATE_CLIENT_SOURCE: JSON.stringify(clientSource),
    // Names the code cache: hashing 270 KB at every start would cost what the cache saves a bit of.
    SHELLGATE_CLIENT_DIGEST: JSON.stringify(createHash('sha256').update(clientSource).digest('hex')),
  },
});

const staging = join(dist, 'package');
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
copyFileSync(bundle, join(staging, 'shellgate.mjs'));
const manifest = {
  name: 'shellgate-client',
  version: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
  description: 'The shellgate operator client: shellgate exec, attach, ls, kill, logs',
  license: 'MIT',
  type: 'module',
  bin: { shellgate: 'shellgate.mjs' },
  engines: { node: '>=20' },
};
writeFileSync(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', dist], {
  cwd: staging,
  encoding: 'utf8',
}).trim();
renameSync(join(dist, packed.split('\n').at(-1) ?? ''), join(dist, 'shellgate-client.tgz'));
rmSync(staging, { recursive: true, force: true });
