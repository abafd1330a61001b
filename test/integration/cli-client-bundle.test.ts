// The client as an operator without the repository gets it: downloaded from the gateway (no
// credential needed) into a folder of its own, as one file run by node, or installed from the
// gateway's npm tarball — and then it works against that gateway.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
  const options = { url: gateway.url, token: gateway.operatorToken, entry: file };
  const result = await runCli(['exec', 'sh', 'echo "from the bundle"; echo oops >&2; exit 5'], {
    ...options,
    input: '',
  });
  assert.equal(result.status, 5, result.stderr.toString());
  assert.equal(result.stdout.toString(), 'from the bundle\n');
  assert.equal(result.stderr.toString(), 'oops\n');
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
  });
  assert.equal(result.status, 3, result.stderr.toString());
  assert.equal(result.stdout.toString(), 'installed\n');
});
