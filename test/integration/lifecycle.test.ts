// How sessions end: signals to the whole process group, terminate with escalation reported stage
// by stage, DELETE, idle and exited-session timeouts, heartbeats, and gateway shutdown.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/fixture.js';
import { api, errorCode, get } from '../helpers/http.js';
import { processesInGroups, waitForGroupsGone } from '../helpers/leaks.js';
import { createSession, getSession, sh } from '../helpers/sessions.js';
import { connect } from '../helpers/ws-client.js';

const gateway = useGateway();

describe('signals', () => {
  test('a signal reaches the whole process group, not just the leader', async () => {
    const session = await sh(gateway, 'sleep 100 & sleep 100 & echo ready; wait');
    const pgid = session.pid ?? 0;
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await client.waitForOutput((text) => text === 'ready\n');
    // The keeper (whose pid the session reports), the shell and its two sleeps.
    assert.equal(processesInGroups([pgid]).length, 4);
    client.send({ type: 'signal', signal: 'SIGTERM' });
    const exit = await client.nextMessage('exit');
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: null, signal: 'SIGTERM' });
    assert.deepEqual(await waitForGroupsGone([pgid], 10_000), [], 'the background sleeps died too');
  });

  test('POST /signal delivers allow-listed signals and refuses others', async () => {
    const session = await sh(gateway, 'trap "echo got INT" INT; echo ready; while :; do sleep 0.05; done');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await client.waitForOutput((text) => text.includes('ready'));
    const path = `/api/sessions/${session.id}/signal`;
    const ok = await api(gateway.url, 'POST', path, {
      token: gateway.operatorToken,
      body: { signal: 'SIGINT' },
    });
    assert.equal(ok.status, 200);
    assert.equal(get(ok.body, 'session', 'id'), session.id);
    await client.waitForOutput((text) => text.includes('got INT'));
    const bad = await api(gateway.url, 'POST', path, {
      token: gateway.operatorToken,
      body: { signal: 'SIGSEGV' },
    });
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), 'INVALID_SIGNAL');
    const numeric = await api(gateway.url, 'POST', path, {
      token: gateway.operatorToken,
      body: { signal: 9 },
    });
    assert.equal(numeric.status, 400);
    client.send({ type: 'signal', signal: 'SIGSYS' });
    assert.equal((await client.nextMessage('error')).code, 'INVALID_SIGNAL');
    assert.equal((await getSession(gateway, session.id)).state, 'running');
    client.send({ type: 'signal', signal: 'SIGKILL' });
    assert.equal((await client.nextMessage('exit')).signal, 'SIGKILL');
    const late = await api(gateway.url, 'POST', path, {
      token: gateway.operatorToken,
      body: { signal: 'SIGINT' },
    });
    assert.equal(late.status, 409);
    assert.equal(errorCode(late), 'SESSION_EXITED');
    client.send({ type: 'input', data: 'x' });
    assert.equal((await client.nextMessage('error')).code, 'SESSION_EXITED');
  });
});

describe('terminate', () => {
  test('escalation is reported stage by stage: stdin, SIGTERM, SIGKILL', async () => {
    // Ignores EOF and SIGTERM (children inherit the ignored TERM): only SIGKILL ends it.
    const session = await sh(gateway, "trap '' TERM; echo ready; while :; do sleep 0.05; done");
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await client.waitForOutput((text) => text === 'ready\n');
    client.send({ type: 'terminate', gracePeriodMs: 200 });
    const stages = [
      (await client.nextMessage('terminating')).stage,
      (await client.nextMessage('terminating')).stage,
      (await client.nextMessage('terminating')).stage,
    ];
    assert.deepEqual(stages, ['stdin', 'SIGTERM', 'SIGKILL']);
    const exit = await client.nextMessage('exit');
    assert.equal(exit.signal, 'SIGKILL');
    const info = await getSession(gateway, session.id);
    assert.equal(info.terminateStage, 'SIGKILL');
    assert.equal(info.state, 'exited');
    assert.deepEqual(await waitForGroupsGone([session.pid ?? 0], 10_000), []);
  });

  test('DELETE answers with the exit status and the stage reached; a second DELETE removes it', async () => {
    const session = await sh(gateway, 'exec sleep 100');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const deleted = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
      token: gateway.operatorToken,
      body: { gracePeriodMs: 100 },
    });
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual(get(deleted.body, 'exit'), { code: null, signal: 'SIGTERM' });
    assert.equal(get(deleted.body, 'session', 'terminateStage'), 'SIGTERM');
    assert.equal(get(deleted.body, 'session', 'state'), 'exited');
    assert.equal((await client.nextMessage('terminating')).stage, 'stdin');
    assert.equal((await client.nextMessage('terminating')).stage, 'SIGTERM');
    await client.nextMessage('exit');
    assert.equal(client.closeInfo, undefined, 'the connection stays open after exit');
    const again = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
      token: gateway.operatorToken,
    });
    assert.equal(again.status, 200);
    assert.equal((await client.waitForClose()).code, 4000);
    const gone = await api(gateway.url, 'GET', `/api/sessions/${session.id}`, {
      token: gateway.operatorToken,
    });
    assert.equal(gone.status, 404);
  });

  test('cat ends when its stdin closes: the first stage is enough', async () => {
    const session = await createSession(gateway, 'cat');
    const deleted = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
      token: gateway.operatorToken,
    });
    assert.deepEqual(get(deleted.body, 'exit'), { code: 0, signal: null });
    assert.equal(get(deleted.body, 'session', 'terminateStage'), 'stdin');
  });
});

describe('timeouts', () => {
  test('idle sessions are terminated, exited ones removed after their TTL, dead peers detached', async () => {
    const gw = await startGateway({
      // A heartbeat the honest client answers in time even on a loaded machine (it has one interval).
      config: { limits: { idleTimeoutMs: 300, exitedSessionTtlMs: 400, heartbeatIntervalMs: 1_000 } },
    });
    try {
      const idle = await createSession(gw, 'cat');
      const watched = await createSession(gw, 'cat');
      const client = await connect(gw.url, watched.id, { token: gw.operatorToken });
      const dead = await connect(gw.url, watched.id, { token: gw.operatorToken, autoPong: false });
      assert.equal((await dead.waitForClose(15_000)).code, 4008, 'no pong: closed with 4008');
      await client.waitFor('the dead client to be detached', () =>
        client.messages.some((m) => m.type === 'session' && m.session.clients === 1) ? true : undefined,
      );
      // The idle one exits (terminated) and is removed after its TTL; the watched one stays.
      const deadline = Date.now() + 15_000;
      let status = 200;
      while (status !== 404 && Date.now() < deadline) {
        await sleep(100);
        status = (await api(gw.url, 'GET', `/api/sessions/${idle.id}`, { token: gw.operatorToken })).status;
      }
      assert.equal(status, 404, 'idle session terminated and then removed');
      assert.equal((await getSession(gw, watched.id)).state, 'running', 'an attached session is not idle');
      client.send({ type: 'close-stdin' });
      await client.nextMessage('exit');
      assert.equal((await client.waitForClose(15_000)).code, 4000, 'removed after exitedSessionTtlMs');
    } finally {
      await gw.stop();
    }
  });
});

describe('shutdown', () => {
  test('SIGTERM tells clients, terminates every session with escalation, closes with 1001', async () => {
    const gw = await startGateway();
    const session = await sh(gw, "trap '' TERM; echo ready; while :; do sleep 0.05; done");
    const other = await createSession(gw, 'cat');
    const client = await connect(gw.url, session.id, { token: gw.operatorToken });
    const catClient = await connect(gw.url, other.id, { token: gw.operatorToken });
    await client.waitForOutput((text) => text === 'ready\n');
    await gw.stop();
    assert.equal((await client.nextMessage('error')).code, 'SHUTTING_DOWN');
    const stages = client.messages.filter((m) => m.type === 'terminating').map((m) => m.stage);
    assert.deepEqual(stages, ['stdin', 'SIGTERM', 'SIGKILL']);
    assert.equal((await client.nextMessage('exit')).signal, 'SIGKILL');
    assert.equal((await client.waitForClose()).code, 1001);
    assert.deepEqual(await catClient.nextMessage('exit'), { type: 'exit', code: 0, signal: null });
    assert.equal((await catClient.waitForClose()).code, 1001);
    assert.deepEqual(await waitForGroupsGone([session.pid ?? 0, other.pid ?? 0], 10_000), []);
  });
});
