// The README's quick start, as a new user runs it: `npm start` prints exactly its two lines on
// stdout, nothing but JSON on stderr, and does not rebuild what is already built.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));
const WEB_BUNDLE = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));
const START_TIMEOUT_MS = 90_000;

describe('npm start', () => {
  test('stdout carries exactly the login URL and the listening line; stderr is the JSON log', async () => {
    const builtBefore = statSync(WEB_BUNDLE).mtimeMs;
    const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--exit-on-stdin-close'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + START_TIMEOUT_MS;
      while (!stdout.includes('shellgate listening on') && Date.now() < deadline && child.exitCode === null)
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.match(stdout, /shellgate listening on/, `no listening line; stderr:\n${stderr}`);
    } finally {
      // --exit-on-stdin-close: the gateway shuts down, and the launcher exits with it.
      child.stdin.end();
    }
    assert.equal(await exited, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, `exactly two lines on stdout:\n${stdout}`);
    assert.match(lines[0] ?? '', /^shellgate login: http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+$/);
    assert.match(lines[1] ?? '', /^shellgate listening on http:\/\/127\.0\.0\.1:\d+$/);
    for (const line of stderr.trimEnd().split('\n')) {
      assert.doesNotThrow(() => JSON.parse(line), `stderr is JSON lines only, not: ${line}`);
    }
    assert.equal(statSync(WEB_BUNDLE).mtimeMs, builtBefore, 'the web bundle was up to date: not rebuilt');
  });
});
