// Start-up: the login line when the token is generated, the listening line, flags, and invalid
// configuration stopping start-up with a message that names the field.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { withConfigFile } from '../helpers/config-file.js';
import { START_NODE_FLAGS } from '../helpers/gateway.js';
import { api } from '../helpers/http.js';

const CLI = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI until it prints the listening line (then SIGTERM) or exits on its own. */
function run(args: string[], onReady?: (stdout: string) => Promise<void>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ready = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (!ready && /shellgate listening on /.test(stdout)) {
        ready = true;
        (onReady ?? (() => Promise.resolve()))(stdout).then(
          () => child.kill('SIGTERM'),
          (error: unknown) => {
            child.kill('SIGTERM');
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('cli', () => {
  test('with no configuration: loopback, a generated token in the URL fragment, never in the log', async () => {
    let token = '';
    const result = await run(['--port', '0'], async (stdout) => {
      const login = /^shellgate login: (http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]{40,})$/m.exec(
        stdout,
      );
      assert.ok(login, stdout);
      token = login[3] ?? '';
      const url = login[1] ?? '';
      assert.match(stdout, new RegExp(`^shellgate listening on ${url}$`, 'm'));
      const whoami = await api(url, 'GET', '/api/whoami', { token });
      assert.deepEqual(whoami.body, { name: 'operator', role: 'operator' });
      const profiles = await api(url, 'GET', '/api/profiles', { token });
      assert.match(profiles.text, /"name":"bc"/);
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(token.length > 0);
    assert.ok(!result.stderr.includes(token), 'the token never appears in the log');
    for (const line of result.stderr.trim().split('\n')) JSON.parse(line);
  });

  test('--host and --port override the file', async () => {
    await withConfigFile({ host: '0.0.0.0', port: 1 }, async (file) => {
      const result = await run(['--config', file, '--host', '127.0.0.1', '--port', '0']);
      assert.match(result.stdout, /^shellgate listening on http:\/\/127\.0\.0\.1:\d+$/m);
      assert.equal(result.code, 0);
    });
  });

  test('invalid configuration stops start-up with a message naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        { limits: { maxSessions: 0 } },
        /invalid configuration: limits\.maxSessions: expected a positive integer/,
      ],
      [{ limits: { maxSessions: 'ten' } }, /limits\.maxSessions: expected a positive integer/],
      [{ tokens: [{ role: 'operator' }] }, /tokens\.0: expected exactly one of "token" and "sha256"/],
      [{ tokens: [{ token: 'short', role: 'operator' }] }, /tokens\.0\.token/],
      [{ tokens: [{ token: 'x'.repeat(20), role: 'admin' }] }, /tokens\.0\.role/],
      [{ profiles: { bc: { argv: [] } } }, /profiles\.bc\.argv/],
      [{ profiles: { bc: { argv: ['bc'], mode: 'tty' } } }, /profiles\.bc\.mode/],
      [{ port: 70000 }, /port/],
      [
        { limits: { replayBufferBytes: 1000, flowControlWindowBytes: 5000 } },
        /limits\.flowControlWindowBytes/,
      ],
      [
        { limits: { maxClientBacklogBytes: 1024 * 1024 } },
        /limits\.maxClientBacklogBytes: expected at least twice/,
      ],
      [
        {
          tokens: [
            { name: 'ops', token: 'a'.repeat(20), role: 'operator' },
            { name: 'ops', token: 'b'.repeat(20), role: 'viewer' },
          ],
        },
        /tokens\.1\.name: duplicate token name "ops"/,
      ],
      [
        // A configured name may not take a generated default's.
        {
          tokens: [
            { name: 'operator1', token: 'a'.repeat(20), role: 'viewer' },
            { token: 'b'.repeat(20), role: 'operator' },
          ],
        },
        /tokens\.1\.name: duplicate token name "operator1"/,
      ],
      [{ unknownField: true }, /unknownField/],
      ['{not json', /not valid JSON/],
      [{ tls: { cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' } }, /tls\.cert/],
    ];
    for (const [config, pattern] of cases) {
      await withConfigFile(config, async (file) => {
        const result = await run(['--config', file, '--port', '0']);
        assert.notEqual(result.code, 0, JSON.stringify(config));
        assert.match(result.stderr, pattern, JSON.stringify(config));
        assert.doesNotMatch(result.stdout, /listening/);
      });
    }
    const badPort = await run(['--port', 'eighty']);
    assert.notEqual(badPort.code, 0);
    assert.match(badPort.stderr, /--port/);
  });

  test('--version prints the release of package.json and starts nothing', async () => {
    const { version } = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      version: string;
    };
    for (const argument of ['--version', 'version']) {
      const result = await run([argument]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `shellgate ${version}\n`);
      assert.equal(result.stderr, '');
    }
  });

  test('the shellgate bin runs Node with the same flags as npm start', async () => {
    const shebang = (await readFile(CLI, 'utf8')).split('\n')[0] ?? '';
    assert.equal(shebang, `#!/usr/bin/env -S node ${START_NODE_FLAGS.join(' ')}`);
  });
});
