// Shutdown finishes what it started: once a SIGTERM began it, neither more signals nor the end of
// standard input (`--exit-on-stdin-close`: a supervisor going away at the same time) cut it short,
// and a session that ignores SIGTERM still gets SIGKILL after the grace period.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { auditRecordsIn } from '../helpers/audit.ts';
import { withConfigFile } from '../helpers/config-file.ts';
import { listeningUrl } from '../helpers/gateway.ts';
import { api, getNumber, getString } from '../helpers/http.ts';
import { waitForGroupsGone } from '../helpers/leaks.ts';
import { waitUntil } from '../helpers/processes.ts';

const CLI = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));
const TOKEN = 'a-shutdown-test-token-of-sufficient-length';
const GRACE_MS = 1_000;
/** Ignores EOF and SIGTERM (its sleeps inherit the ignored TERM): only SIGKILL ends it. */
const STUBBORN = "trap '' TERM; echo ready; while :; do sleep 0.1; done";

describe('shutdown', () => {
  test('stdin closing and a second SIGTERM during shutdown do not cut it short: the stubborn session gets SIGKILL', async () => {
    const config = {
      tokens: [{ name: 'operator', token: TOKEN, role: 'operator' }],
      profiles: { sh: { argv: ['sh', '-c'], mode: 'pipe', allowArgs: true } },
      limits: { terminateGracePeriodMs: GRACE_MS },
    };
    await withConfigFile(config, async (file) => {
      const child = spawn(process.execPath, [CLI, '--config', file, '--port', '0', '--exit-on-stdin-close'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      const pids: number[] = [];
      try {
        const url = await listeningUrl(child, () => stderr);
        const created = await api(url, 'POST', '/api/sessions', {
          token: TOKEN,
          body: { profile: 'sh', args: [STUBBORN] },
        });
        assert.equal(created.status, 201, created.text);
        const id = getString(created.body, 'session', 'id');
        pids.push(getNumber(created.body, 'session', 'pid'));
        // `ready` comes after the trap: once the gateway has read it, SIGTERM is ignored.
        for (let attempt = 0; ; attempt += 1) {
          const info = await api(url, 'GET', `/api/sessions/${id}`, { token: TOKEN });
          if (getNumber(info.body, 'session', 'outputBytes') >= 'ready\n'.length) break;
          assert.ok(attempt < 200, 'the session never printed ready');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }

        const startedAt = performance.now();
        child.kill('SIGTERM');
        await waitUntil(
          'the gateway is shutting down',
          () => stderr.includes('"msg":"shutting down"'),
          10_000,
        );
        child.stdin.end(); // the supervisor's end of the pipe closes
        child.kill('SIGTERM'); // and its group's signal arrives once more
        assert.equal(await exited, 0);
        const seconds = (performance.now() - startedAt) / 1000;

        assert.match(stderr, /shellgate: stdin closed while shutting down; still terminating sessions/);
        assert.match(stderr, /shellgate: SIGTERM while shutting down; still terminating sessions/);
        const exitRecord = auditRecordsIn(stderr.split('\n'), 'exit').find((record) => record.session === id);
        assert.ok(exitRecord !== undefined, `no exit record:\n${stderr}`);
        assert.equal(getString(exitRecord, 'terminateStage'), 'SIGKILL', 'escalated all the way');
        // Two stages (close stdin, SIGTERM) each waited their grace period before SIGKILL.
        assert.ok(seconds >= (2 * GRACE_MS) / 1000 - 0.1, `shutdown took only ${seconds.toFixed(2)} s`);
        assert.deepEqual(await waitForGroupsGone(pids), [], 'nothing of the session is left');
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
    });
  });
});
