// The client as an operator without the repository gets it: downloaded from the gateway (no
// credential needed) into a folder of its own, as one file run by node, or installed from the
// gateway's npm tarball — and then it works against that gateway.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CLIENT_BUNDLE, runCli } from '../helpers/cli-client.ts';
import { useGateway } from '../helpers/fixture.ts';

const gateway = useGateway();
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shellgate-bundle-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The bundle's code cache goes to a folder of the test's, not to the user's ~/.cache. */
const cacheHome = (): Record<string, string> => ({ XDG_CACHE_HOME: join(dir, 'cache-home') });

async function download(path: string): Promise<Buffer> {
  const response = await fetch(`${gateway.url}${path}`);
  assert.equal(response.status, 200, `${path}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

test('the gateway serves the built bundle without a credential, and it runs on its own', async () => {
  const bundle = await download('/client/shellgate.mjs');
  assert.deepEqual(bundle, await readFile(CLIENT_BUNDLE));
  const file = join(dir, 'shellgate.mjs');
  await writeFile(file, bundle);
  const options = { url: gateway.url, token: gateway.operatorToken, entry: file, env: cacheHome() };
  const result = await runCli(['exec', 'sh', 'echo "from the bundle"; echo oops >&2; exit 5'], {
    ...options,
    input: '',
  });
  assert.equal(result.status, 5, result.stderr.toString());
  assert.equal(result.stdout.toString(), 'from the bundle\n');
  assert.equal(result.stderr.toString(), 'oops\n');
  const first = await runCli(['--url', gateway.url, 'exec', 'sh', 'echo first'], {
    ...options,
    url: 'http://127.0.0.1:1',
    input: '',
  });
  assert.equal(first.status, 0, first.stderr.toString());
  assert.equal(first.stdout.toString(), 'first\n');
  const serve = await runCli(['serve'], { ...options, input: '' });
  assert.equal(serve.status, 255);
  assert.match(serve.stderr.toString(), /^shellgate: serve needs the full gateway[^\n]*\n$/);
});

test("npm installs the gateway's tarball as a `shellgate` command with the client subcommands", async () => {
  const prefix = join(dir, 'prefix');
  await promisify(execFile)(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      `${gateway.url}/client/shellgate-client.tgz`,
    ],
    { timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' } },
  );
  const result = await runCli(['exec', 'sh', 'echo installed; exit 3'], {
    url: gateway.url,
    token: gateway.operatorToken,
    entry: join(prefix, 'bin', 'shellgate'),
    input: '',
    env: cacheHome(),
  });
  assert.equal(result.status, 3, result.stderr.toString());
  assert.equal(result.stdout.toString(), 'installed\n');
  const version = await runCli(['--version'], {
    url: gateway.url,
    entry: join(prefix, 'bin', 'shellgate'),
    input: '',
    env: cacheHome(),
  });
  assert.equal(version.status, 0, version.stderr.toString());
  const { version: release } = JSON.parse(
    await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as {
    version: string;
  };
  assert.equal(version.stdout.toString(), `shellgate ${release} (client)\n`);
});

test('the bundle keeps a code cache per user, and runs the same without one or with a damaged one', async () => {
  const cacheDir = join(dir, 'cache-test');
  const run = (env: Record<string, string>) =>
    runCli(['exec', 'sh', 'echo "$0"; exit 4', 'same'], {
      url: gateway.url,
      token: gateway.operatorToken,
      entry: CLIENT_BUNDLE,
      input: '',
      env,
    });
  const expectSame = async (env: Record<string, string>, label: string): Promise<void> => {
    const result = await run(env);
    assert.equal(result.status, 4, `${label}: ${result.stderr.toString()}`);
    assert.equal(result.stdout.toString(), 'same\n', label);
    assert.equal(result.stderr.toString(), '', label);
  };
  const cacheFile = async (): Promise<string> => {
    const entries = await readdir(join(cacheDir, 'shellgate'));
    assert.equal(entries.length, 1, `one cache file, no partial one left: ${entries.join(', ')}`);
    assert.match(entries[0] ?? '', /^client-code-[0-9a-f]{16}\.bin$/);
    return join(cacheDir, 'shellgate', entries[0] ?? '');
  };
  /** The file is the SHA-256 of its payload, then the payload. */
  const assertWhole = (data: Buffer): void => {
    assert.ok(data.length > 1024, `a cache of ${data.length} bytes`);
    assert.deepEqual(data.subarray(0, 32), createHash('sha256').update(data.subarray(32)).digest());
  };

  await expectSame({ XDG_CACHE_HOME: cacheDir }, 'first run, no cache');
  const file = await cacheFile();
  assertWhole(await readFile(file));
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(join(cacheDir, 'shellgate'))).mode & 0o777, 0o700);
  await expectSame({ XDG_CACHE_HOME: cacheDir }, 'second run, from the cache');

  // A damaged payload behind an intact length: the digest refuses it, the client compiles from
  // source and writes a whole cache again.
  const damaged = await readFile(file);
  damaged.fill(0x5a, 64, 4096);
  await writeFile(file, damaged);
  await expectSame({ XDG_CACHE_HOME: cacheDir }, 'damaged cache');
  const rewritten = await readFile(file);
  assertWhole(rewritten);
  assert.notDeepEqual(rewritten, damaged);

  // A cache from an older build of the client goes when this one writes its own.
  await writeFile(join(cacheDir, 'shellgate', 'client-code-0000000000000000.bin'), 'stale');
  await rm(file);
  await expectSame({ XDG_CACHE_HOME: cacheDir }, 'beside a stale cache');
  assert.notEqual(await cacheFile(), join(cacheDir, 'shellgate', 'client-code-0000000000000000.bin'));

  // Nowhere to keep a cache (the cache home is a file): the client runs all the same.
  const notADirectory = join(dir, 'not-a-directory');
  await writeFile(notADirectory, '');
  await expectSame({ XDG_CACHE_HOME: notADirectory }, 'no place for a cache');
});
