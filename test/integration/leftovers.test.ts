// Nothing outlives what it belongs to: a session's background children die with it, input the
// process never reads stays bounded, and a gateway whose parent is gone shuts down.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { withConfigFile } from '../helpers/config-file.ts';
import { useGateway } from '../helpers/fixture.ts';
import { listeningUrl } from '../helpers/gateway.ts';
import { api, getNumber } from '../helpers/http.ts';
import { processesInGroups, waitForGroupsGone } from '../helpers/leaks.ts';
import { waitUntil } from '../helpers/processes.ts';
import { sh } from '../helpers/sessions.ts';
import { connect } from '../helpers/ws-client.ts';

const CLI = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));
const KiB = 1024;

const gateway = useGateway({ config: { limits: { maxPendingInputBytes: 256 * KiB } } });

describe('leftovers', () => {
  test('a background child dies with its session when the session exits by itself', async () => {
    const session = await sh(gateway, 'sleep 1000 & echo started');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: 0 });
    try {
      const exit = await client.nextMessage('exit');
      assert.deepEqual(exit, { type: 'exit', code: 0, signal: null });
      assert.equal(client.text(), 'started\n');
      assert.ok(session.pid !== null);
      assert.deepEqual(await waitForGroupsGone([session.pid]), [], 'the background sleep was killed');
    } finally {
      await client.close();
    }
  });

  test('input a process never reads is refused past the bound with INPUT_QUEUE_FULL', async () => {
    const session = await sh(gateway, 'sleep 100');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: 0 });
    try {
      // The pipe takes 64 KiB; the rest queues in the gateway until the bound is reached.
      for (let i = 0; i < 40; i += 1) client.sendInput(Buffer.alloc(16 * KiB, 'x'));
      const error = await client.nextMessage('error');
      assert.equal(error.code, 'INPUT_QUEUE_FULL');
      assert.match(error.message, /limits\.maxPendingInputBytes is 262144/);
      // The session is unharmed: it still answers and terminates normally.
      const info = await api(gateway.url, 'GET', `/api/sessions/${session.id}`, {
        token: gateway.operatorToken,
      });
      assert.equal(info.status, 200);
    } finally {
      await client.close();
      await api(gateway.url, 'DELETE', `/api/sessions/${session.id}?gracePeriodMs=100`, {
        token: gateway.operatorToken,
      });
    }
  });

  test('with --exit-on-stdin-close the gateway shuts down, sessions and all, when its parent goes', async () => {
    const token = 'a-test-token-of-sufficient-length';
    const config = {
      tokens: [{ token, role: 'operator' }],
      profiles: { cat: { argv: ['cat'] } },
      limits: { terminateGracePeriodMs: 200 },
    };
    await withConfigFile(config, async (file) => {
      const child = spawn(process.execPath, [CLI, '--config', file, '--port', '0', '--exit-on-stdin-close'], {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        const url = await listeningUrl(child);
        const created = await api(url, 'POST', '/api/sessions', { token, body: { profile: 'cat' } });
        assert.equal(created.status, 201, created.text);
        const pid = getNumber(created.body, 'session', 'pid');
        // The keeper (the session's pid, leading its group) and cat under it, once the keeper forked.
        await waitUntil('cat runs under the keeper', () => processesInGroups([pid]).length === 2);
        assert.ok(processesInGroups([pid]).includes(pid));

        child.stdin.end(); // what happens when the parent dies: its end of the pipe closes
        assert.equal(await exited, 0);
        assert.deepEqual(await waitForGroupsGone([pid]), [], 'the session was terminated on the way out');
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
