#!/usr/bin/env node
// The entry of the standalone client (client/dist/shellgate.mjs, one file by contract). It runs the
// client — built as CommonJS source text and inlined below by scripts/bundle.mjs — through V8 with a
// code cache kept per user: every `shellgate` command is a new node process, and compiling the
// client's ~270 KB was a third of its own start. With the cache, `exec true` and `ls` take
// 15–19 ms less CPU (about 115 ms against 131; a bare node is ~67). Node ≥ 22.1 has a compile
// cache of its own (module.enableCompileCache); the client supports Node 20, which has none.
//
// The cache is an optimisation and nothing else: whatever goes wrong with it (no home, a read-only
// disk, a file from another node or another build, a torn or foreign file) the client runs
// compiled from source, and writes a fresh cache when it can.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** The client as CommonJS source text, and its SHA-256 (hex), inlined at build time. */
declare const SHELLGATE_CLIENT_SOURCE: string;
declare const SHELLGATE_CLIENT_DIGEST: string;

const DIGEST_BYTES = 32;
const CACHE_PREFIX = 'client-code-';

const digest = (data: Buffer | string): Buffer => createHash('sha256').update(data).digest();

/** `$XDG_CACHE_HOME/shellgate`, else `~/.cache/shellgate`; undefined without a home. */
function cacheDirectory(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  return base ? join(base, 'shellgate') : undefined;
}

/**
 * One file per client build and node: V8 refuses code cached by another V8 or with other flags, and
 * the name keeps two installed versions from overwriting each other's cache at every start.
 */
function cacheFileName(): string {
  const key = digest(`${process.version}\0${process.arch}\0${SHELLGATE_CLIENT_DIGEST}`).toString('hex');
  return `${CACHE_PREFIX}${key.slice(0, 16)}.bin`;
}

/**
 * The cached code, or undefined. The file starts with the SHA-256 of the rest: V8 checks a cache's
 * version and source length, but a torn or altered payload that passes those checks is not for V8
 * to meet.
 */
function readCache(file: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const payload = data.subarray(DIGEST_BYTES);
  return data.length > DIGEST_BYTES && digest(payload).equals(data.subarray(0, DIGEST_BYTES))
    ? payload
    : undefined;
}

/** Written whole or not at all (a rename), private to the user; the caches of other builds go. */
function writeCache(directory: string, name: string, payload: Buffer): void {
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const partial = join(directory, `.${name}.${process.pid}`);
    writeFileSync(partial, Buffer.concat([digest(payload), payload]), { mode: 0o600 });
    renameSync(partial, join(directory, name));
    for (const entry of readdirSync(directory)) {
      if (entry.startsWith(CACHE_PREFIX) && entry !== name) rmSync(join(directory, entry), { force: true });
    }
  } catch {
    // No cache this time: the next start compiles from source again.
  }
}

const filename = fileURLToPath(import.meta.url);
const directory = cacheDirectory();
const name = cacheFileName();
const cachedData = directory === undefined ? undefined : readCache(join(directory, name));
const script = new Script(
  `(function (exports, require, module, __filename, __dirname) {${SHELLGATE_CLIENT_SOURCE}\n})`,
  {
    filename,
    cachedData,
  },
);
if (directory !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
  // At exit the cache also holds the functions this command compiled, not only the top level.
  process.once('exit', () => writeCache(directory, name, script.createCachedData()));
}
const module = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(
  module.exports,
  createRequire(filename),
  module,
  filename,
  dirname(filename),
);
