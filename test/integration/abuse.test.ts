// Clients that misbehave on purpose: one that acks without reading, one that floods bad messages
// without reading the replies, one that answers pings it never read, a token guesser. Each is cut
// off or refused, and the gateway's memory and log stay bounded.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { CloseCode, ErrorCode } from '@shellgate/shared';
import { auditRecords } from '../helpers/audit.js';
import { eventually } from '../helpers/eventually.js';
import { receiveUntilExit } from '../bench/lean-client.js';
import { useGateways } from '../helpers/fixture.js';
import type { Gateway } from '../helpers/gateway.js';
import { api, errorCode } from '../helpers/http.js';
import { residentBytes } from '../helpers/leaks.js';
import { openNonReading, textFrame } from '../helpers/raw-ws.js';
import { createSession, getSession } from '../helpers/sessions.js';
import { connect, connectRefused } from '../helpers/ws-client.js';

const MiB = 1024 * 1024;
const gateways = useGateways();
const gatewayWith = (config: Record<string, unknown>): Promise<Gateway> => gateways.start({ config });

function rssMiB(pid: number): number {
  return residentBytes(pid) / MiB;
}

describe('a client that does not read its socket', () => {
  test('a client that acks blindly but never reads is cut off with 4009 and memory stays bounded', async () => {
    // Heartbeats far apart: the backlog, not a missed pong, must be what ends it.
    const gateway = await gatewayWith({ limits: { heartbeatIntervalMs: 120_000 } });
    const session = await createSession(gateway, 'sh', [
      'while :; do head -c 65536 /dev/zero; sleep 0.01; done',
    ]);
    // An honest operator reads and acks everything: the session keeps flowing.
    const honest = receiveUntilExit(gateway.url, gateway.operatorToken, session.id, 64 * 1024);
    const baseline = rssMiB(gateway.pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(gateway.pid))), 100);
    // A second control client (a viewer that falls behind is skipped ahead and its blind acks then
    // overshoot; a control client is sent everything, so acking the output so far is always valid).
    const stalled = await openNonReading(gateway.url, gateway.operatorToken, session.id);
    // Ack whatever the session has produced, as if it had all been read.
    const acker = setInterval(() => {
      void getSession(gateway, session.id).then(
        (info) => stalled.socket.write(textFrame(JSON.stringify({ type: 'ack', offset: info.outputBytes }))),
        () => undefined,
      );
    }, 50);
    try {
      const cut = await eventually(
        'a client-not-reading record',
        () => auditRecords(gateway, 'client-not-reading')[0],
        60_000,
      );
      clearInterval(acker);
      assert.equal(cut.who, 'operator');
      assert.equal(cut.session, session.id);
      assert.ok(Number(cut.backlog) > 4 * MiB, `backlog ${String(cut.backlog)}`);
      const code = await stalled.drainForCloseCode();
      assert.ok(code === null || code === CloseCode.ClientNotReading, `close code ${String(code)}`);
      await eventually(
        'the stalled client detached with 4009',
        () => auditRecords(gateway, 'detach').find((record) => record.code === CloseCode.ClientNotReading),
        10_000,
      );
      // The flood goes on for the honest client alone, and memory does not follow it.
      const before = (await getSession(gateway, session.id)).outputBytes;
      await sleep(2_000);
      const info = await getSession(gateway, session.id);
      assert.equal(info.clients, 1);
      assert.ok(info.outputBytes > before, 'the session keeps running for the client that reads');
      assert.ok(peak - baseline < 64, `gateway RSS grew from ${baseline} to ${peak} MiB`);
    } finally {
      clearInterval(acker);
      clearInterval(sampler);
      stalled.socket.destroy();
      await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
    }
    const receipt = await honest;
    assert.ok(receipt.bytes > 1 * MiB, `the honest client received ${receipt.bytes} bytes`);
  });

  test('error replies to a flood of bad messages do not pile up: the flooder is cut off with 4009', async () => {
    const gateway = await gatewayWith({ limits: { heartbeatIntervalMs: 120_000 } });
    const session = await createSession(gateway, 'cat');
    const flooder = await openNonReading(gateway.url, gateway.operatorToken, session.id);
    const batch = Buffer.concat(
      Array.from({ length: 1000 }, () =>
        textFrame(JSON.stringify({ type: 'no-such-type', pad: 'x'.repeat(64) })),
      ),
    );
    const baseline = rssMiB(gateway.pid);
    try {
      let sent = 0;
      // Each bad message earns an error reply; the flooder reads none of them.
      while (auditRecords(gateway, 'client-not-reading').length === 0) {
        assert.ok(sent < 2_000_000, 'the gateway never cut the flooder off');
        if (!stillWritable(flooder.socket)) break;
        if (!flooder.socket.write(batch)) await sleep(20);
        sent += 1000;
        if (sent % 20_000 === 0) await sleep(10);
      }
      const cut = await eventually(
        'a client-not-reading record',
        () => auditRecords(gateway, 'client-not-reading')[0],
        30_000,
      );
      assert.equal(cut.who, 'operator');
      await eventually(
        'the flooder detached with 4009',
        () => auditRecords(gateway, 'detach').find((record) => record.code === CloseCode.ClientNotReading),
        10_000,
      );
      // Reading again shows the close frame behind the backlog, or the cut if it came first.
      const code = await flooder.drainForCloseCode();
      assert.ok(code === null || code === CloseCode.ClientNotReading, `close code ${String(code)}`);
      assert.ok(rssMiB(gateway.pid) - baseline < 64, 'gateway memory stayed bounded');
    } finally {
      flooder.socket.destroy();
      await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
    }
  });
});

function stillWritable(socket: { writable: boolean; destroyed: boolean }): boolean {
  return socket.writable && !socket.destroyed;
}

describe('heartbeats', () => {
  test('unsolicited pongs do not keep a connection that ignores pings alive (4008)', async () => {
    const gateway = await gatewayWith({ limits: { heartbeatIntervalMs: 300 } });
    const session = await createSession(gateway, 'cat');
    const liar = await connect(gateway.url, session.id, { token: gateway.operatorToken, autoPong: false });
    const honest = await connect(gateway.url, session.id, { token: gateway.viewerToken });
    const pongs = setInterval(() => liar.ws.pong(randomBytes(16)), 50);
    try {
      const closed = await Promise.race([
        liar.closed,
        sleep(15_000).then(() => assert.fail('the connection answering no ping was never closed')),
      ]);
      assert.equal(closed.code, CloseCode.HeartbeatTimeout);
      assert.equal(honest.closeInfo, undefined, 'a client that answers pings stays');
    } finally {
      clearInterval(pongs);
      liar.ws.terminate();
      honest.ws.terminate();
      await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
    }
  });
});

describe('token guessing', () => {
  test('bearer guesses beyond the limit get 429 RATE_LIMITED on HTTP and on the upgrade', async () => {
    const gateway = await gatewayWith({ limits: { loginFailuresPerMinute: 3 } });
    const session = await createSession(gateway, 'cat');
    for (let i = 0; i < 3; i += 1) {
      const guess = await api(gateway.url, 'GET', '/api/sessions', { token: `guess-${i}` });
      assert.equal(guess.status, 401);
    }
    const blocked = await api(gateway.url, 'GET', '/api/sessions', { token: 'guess-3' });
    assert.equal(blocked.status, 429);
    assert.equal(errorCode(blocked), ErrorCode.RateLimited);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}: what is left of the minute`);
    // Refused before the token is looked at: even the right one, for the rest of the minute.
    const right = await api(gateway.url, 'GET', '/api/sessions', { token: gateway.operatorToken });
    assert.equal(right.status, 429);
    const upgrade = await connectRefused(gateway.url, session.id, { token: 'guess-4' });
    assert.equal(upgrade.status, 429);
    assert.match(upgrade.body, /RATE_LIMITED/);
    assert.ok(Number(upgrade.headers['retry-after']) <= retryAfter, 'the same window, no later');
    await gateway.stop();
  });

  test('failed bearer upgrades count too, and HTTP is then refused', async () => {
    const gateway = await gatewayWith({ limits: { loginFailuresPerMinute: 3 } });
    const session = await createSession(gateway, 'cat');
    for (let i = 0; i < 3; i += 1) {
      const guess = await connectRefused(gateway.url, session.id, { token: `guess-${i}` });
      assert.equal(guess.status, 401);
    }
    const upgrade = await connectRefused(gateway.url, session.id, { token: gateway.operatorToken });
    assert.equal(upgrade.status, 429);
    const blocked = await api(gateway.url, 'GET', '/api/whoami', { token: 'guess-3' });
    assert.equal(errorCode(blocked), ErrorCode.RateLimited);
    await gateway.stop();
  });

  test('refusal records are bounded per address: the first 20, then one summary with the count', async () => {
    const gateway = await gatewayWith({ limits: { loginFailuresPerMinute: 5 } });
    const attempts = 60;
    for (let i = 0; i < attempts; i += 1) {
      const guess = await api(gateway.url, 'GET', '/api/whoami', { token: `guess-${i}` });
      assert.ok(guess.status === 401 || guess.status === 429);
    }
    assert.equal(auditRecords(gateway, 'auth-refused').length, 20);
    // The summary is written when the window ends, or at shutdown.
    await gateway.stop();
    const summaries = auditRecords(gateway, 'auth-refused-suppressed');
    assert.equal(summaries.length, 1, JSON.stringify(summaries));
    assert.equal(summaries[0]?.suppressed, attempts - 20);
  });
});

describe('expired logins', () => {
  test("an expired login's WebSocket is closed with 4001", async () => {
    const gateway = await gatewayWith({ limits: { loginTtlMs: 2_000 } });
    const session = await createSession(gateway, 'cat');
    const login = await api(gateway.url, 'POST', '/api/login', {
      body: { token: gateway.operatorToken },
      origin: gateway.origin,
    });
    assert.equal(login.status, 200, login.text);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const started = Date.now();
    const client = await connect(gateway.url, session.id, { cookie, origin: gateway.origin });
    try {
      const closed = await Promise.race([
        client.closed,
        sleep(15_000).then(() => assert.fail('the expired login kept its stream')),
      ]);
      assert.equal(closed.code, CloseCode.Unauthorized);
      assert.ok(Date.now() - started >= 1_000, 'closed at expiry, not at once');
      const after = await api(gateway.url, 'GET', '/api/whoami', { cookie });
      assert.equal(after.status, 401);
    } finally {
      client.ws.terminate();
      await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
    }
  });
});

describe('slow clients', () => {
  test(
    'a client trickling its request headers is cut off at the 10 s header timeout, not up to 40 s later',
    { timeout: 60_000 },
    async () => {
      const gateway = await gatewayWith({});
      const socket = connectTcp(gateway.port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const openedAt = performance.now();
      socket.write('GET /api/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      // One header line every second, never the blank line that ends them.
      const trickle = setInterval(() => {
        if (socket.writable) socket.write(`X-Slow-${Math.round(performance.now())}: 1\r\n`);
      }, 1_000);
      try {
        await new Promise<void>((resolve) => socket.once('close', () => resolve()).resume());
      } finally {
        clearInterval(trickle);
        socket.destroy();
      }
      const seconds = (performance.now() - openedAt) / 1000;
      // Node checks its timeouts every second here (it was every 30 s): 10 s plus at most that sweep,
      // with generous room for a loaded machine.
      assert.ok(seconds >= 9.5 && seconds < 16, `closed after ${seconds.toFixed(1)} s`);
      await gateway.stop();
    },
  );
});
