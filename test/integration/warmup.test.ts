// The warm-up (server/src/warmup): before it listens, a gateway runs its relay path on throwaway
// gateways of its own. It must leave nothing behind — no session, no audit record, no process — and
// never keep a gateway from serving, whether it fails or the gateway is told to stop meanwhile.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { WARMUP_WORK } from '../../server/src/warmup/work.ts';
import { withConfigFile } from '../helpers/config-file.ts';
import { listeningUrl, startGateway } from '../helpers/gateway.ts';
import { api, get } from '../helpers/http.ts';
import { isAlive, liveDescendants, waitUntil } from '../helpers/processes.ts';
import { sh } from '../helpers/sessions.ts';
import { connect } from '../helpers/ws-client.ts';

const CLI = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));

/** The gateway's JSON log lines whose `msg` is `msg`. */
function logged(stderr: string[], msg: string): Array<Record<string, unknown>> {
  return stderr.flatMap((line) => {
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      return record.msg === msg ? [record] : [];
    } catch {
      return [];
    }
  });
}

describe('warm-up', () => {
  test('runs before the gateway listens and leaves no session, audit record or process', async () => {
    const gateway = await startGateway({ config: { warmup: true } });
    try {
      const [report] = logged(gateway.stderr, 'warmed up');
      assert.ok(report !== undefined, `no "warmed up" line in:\n${gateway.stderr.join('\n')}`);
      const runs = WARMUP_WORK.gateways * WARMUP_WORK.sessions;
      if (report.cut === false) {
        // Not cut short by its deadline (a very slow machine may): every exercise ran in full.
        assert.equal(report.echoes, runs * WARMUP_WORK.echoes);
        assert.equal(report.relayedBytes, runs * WARMUP_WORK.floodBytes);
        assert.equal(report.keystrokes, runs * WARMUP_WORK.keystrokes);
      } else assert.ok(Number(report.echoes) > 0, 'cut short before anything ran');
      const order = gateway.stderr.findIndex((line) => line.includes('"msg":"warmed up"'));
      const listening = gateway.stderr.findIndex((line) => line.includes('"msg":"listening"'));
      assert.ok(order >= 0 && order < listening, 'warmed up before listening');

      const listed = await api(gateway.url, 'GET', '/api/sessions', { token: gateway.operatorToken });
      assert.deepEqual(get(listed.body, 'sessions'), []);
      assert.deepEqual(
        gateway.stderr.filter((line) => line.includes('"audit":true')),
        [],
        'the warm-up is not in the audit trail',
      );
      assert.deepEqual(liveDescendants(gateway.pid), [], 'no process of the warm-up is left');

      // And the gateway serves as any other.
      const session = await sh(gateway, 'read line; echo "got $line"');
      const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
      client.sendInput('hello\n');
      assert.deepEqual(await client.nextMessage('exit'), { type: 'exit', code: 0, signal: null });
      assert.equal(client.text(), 'got hello\n');
      await client.close();
    } finally {
      await gateway.stop();
    }
  });

  test('a warm-up that cannot run leaves the gateway serving, cold, with a warning', async () => {
    // Without a PATH, `cat` cannot be found: the warm-up's first session is refused.
    const gateway = await startGateway({ config: { warmup: true }, env: { PATH: '/nonexistent' } });
    try {
      const [warning] = logged(gateway.stderr, 'the warm-up failed: serving cold');
      assert.ok(warning !== undefined, `no warning in:\n${gateway.stderr.join('\n')}`);
      assert.equal(warning.level, 'warn');
      assert.deepEqual(logged(gateway.stderr, 'warmed up'), []);
      const health = await api(gateway.url, 'GET', '/healthz');
      assert.equal(health.status, 200);
      assert.deepEqual(liveDescendants(gateway.pid), []);
    } finally {
      await gateway.stop();
    }
  });

  test('SIGTERM during the warm-up ends the gateway with status 0 and nothing left running', async () => {
    const config = {
      tokens: [{ token: 'a-test-token-of-sufficient-length', role: 'operator' }],
      warmup: true,
    };
    await withConfigFile(config, async (file) => {
      const child = spawn(process.execPath, [CLI, '--config', file, '--port', '0'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      let listened = false;
      listeningUrl(child).then(
        () => (listened = true),
        () => undefined,
      );
      try {
        const pid = child.pid ?? 0;
        // A warm-up session's process (cat or head, under its keeper) is running.
        await waitUntil('a warm-up session runs', () => liveDescendants(pid).length > 0, 10_000);
        const started = liveDescendants(pid).map((info) => info.pid);
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
        assert.equal(listened, false, 'it stopped without ever listening');
        await waitUntil('the warm-up sessions are gone', () => started.every((each) => !isAlive(each)));
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
