#!/usr/bin/env node
// `npm start`: build what changed, quietly, then run the gateway in the foreground.
//
// stdout is the gateway's alone — the sign-in URL and `shellgate listening on …`, as the README
// promises — and stderr its JSON log: build output is shown only when a build fails. TypeScript's
// `tsc -b` is incremental by itself; the web bundle is rebuilt only when one of its inputs is newer
// than `web/dist/index.html`, the operator client's bundle likewise. Arguments go to the gateway (`npm start -- --config gw.json`); Node
// flags given to this script (package.json's start script) go to the gateway's Node too.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// The workspaces share one hoisted node_modules.
const bin = (...path) => join(root, 'node_modules', ...path);
const WEB_OUTPUT = join(root, 'web', 'dist', 'index.html');
/** What the web bundle is built from (the shared package's sources and builds included). */
const WEB_INPUTS = [
  'web/src',
  'web/index.html',
  'web/vite.config.ts',
  'web/package.json',
  'shared/src',
  'shared/dist',
  'package-lock.json',
];

/** Runs a build step with its output kept; on failure shows it (on stderr) and exits 1. */
function build(label, args, cwd = root) {
  const result = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status === 0) return;
  process.stderr.write(`npm start: ${label} failed\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.error !== undefined) process.stderr.write(`${String(result.error)}\n`);
  process.exit(1);
}

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** The operator client's bundle, which the gateway serves, and what it is built from. */
const CLIENT_OUTPUT = join(root, 'client', 'dist', 'shellgate-client.tgz');
const CLIENT_INPUTS = [
  'client/src',
  'client/scripts',
  'client/package.json',
  'shared/src',
  'package-lock.json',
];

function isStale(output, inputs) {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return inputs.some((input) => newest(join(root, input)) > built);
}

build('tsc -b', [bin('typescript', 'bin', 'tsc'), '-b']);
if (isStale(WEB_OUTPUT, WEB_INPUTS))
  build('vite build', [bin('vite', 'bin', 'vite.js'), 'build'], join(root, 'web'));
if (isStale(CLIENT_OUTPUT, CLIENT_INPUTS))
  build('client bundle', [join(root, 'client', 'scripts', 'bundle.mjs')], join(root, 'client'));

// The gateway in the foreground: same stdin, stdout and stderr; a signal for this process is passed
// on, and its exit (code or signal) becomes this process's.
const gateway = spawn(
  process.execPath,
  [...process.execArgv, join(root, 'server', 'dist', 'cli.js'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
const forward = (signal) => () => gateway.kill(signal);
// Ctrl-C reaches the whole process group, the gateway included: it decides how to shut down.
process.on('SIGINT', () => undefined);
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, forward(signal));
gateway.on('exit', (code, signal) => {
  if (signal !== null) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
gateway.on('error', (error) => {
  process.stderr.write(`npm start: cannot run the gateway: ${String(error)}\n`);
  process.exit(1);
});
