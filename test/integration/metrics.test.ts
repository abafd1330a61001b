// Prometheus metrics: who may scrape, and that the numbers move with what the gateway really did —
// bytes relayed after a session, refusals after a bad token or Origin, closes by code, spawns,
// clients attached; the separate loopback listener; and metrics switched off.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../server/src/config/load.ts';
import { startGateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/fixture.js';
import { api, errorCode, getString } from '../helpers/http.js';
import { metricValue, scrape } from '../helpers/metrics.js';
import { createSession, sh } from '../helpers/sessions.js';
import { connect } from '../helpers/ws-client.js';

const operator = randomBytes(24).toString('base64url');
const scraper = randomBytes(24).toString('base64url');

const gateway = useGateway({
  config: {
    tokens: [
      { name: 'operator', token: operator, role: 'operator' },
      // A scrape-only token: a viewer that sees only its own sessions (it can create none).
      { name: 'prometheus', token: scraper, role: 'viewer', scope: 'own', metrics: true },
    ],
  },
});

const metrics = (): Promise<string> => scrape(`${gateway.url}/metrics`, scraper);

describe('who may scrape', () => {
  test('GET /metrics needs a token with "metrics": true', async () => {
    assert.equal((await api(gateway.url, 'GET', '/metrics')).status, 401);
    const operatorTry = await api(gateway.url, 'GET', '/metrics', { token: operator });
    assert.equal(operatorTry.status, 403);
    assert.equal(errorCode(operatorTry), 'FORBIDDEN');
    assert.match(getString(operatorTry.body, 'error', 'message'), /may not read metrics/);
    const text = await metrics();
    assert.match(text, /^# TYPE shellgate_relayed_bytes_total counter$/m);
    assert.match(text, /^# TYPE shellgate_spawn_duration_seconds histogram$/m);
    // prom-client's process metrics, in the gateway's own registry.
    assert.ok(metricValue(text, 'process_resident_memory_bytes') > 0);
  });

  test('the scrape token sees no session', async () => {
    await createSession(gateway, 'cat', undefined, operator);
    const listed = await api(gateway.url, 'GET', '/api/sessions', { token: scraper });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body, { sessions: [] });
  });
});

describe('the numbers move with what happened', () => {
  test('bytes relayed by stream, spawns, sessions by state and mode', async () => {
    const before = await metrics();
    const session = await sh(
      { ...gateway, operatorToken: operator },
      'head -c 100000 /dev/zero; printf oops >&2',
    );
    const client = await connect(gateway.url, session.id, { token: operator });
    await client.nextMessage('exit');
    assert.equal(client.output('stdout').length, 100_000);
    await client.close();
    const after = await metrics();
    const delta = (name: string, labels?: Record<string, string>): number =>
      metricValue(after, name, labels) - metricValue(before, name, labels);
    assert.equal(delta('shellgate_relayed_bytes_total', { stream: 'stdout' }), 100_000);
    assert.equal(delta('shellgate_relayed_bytes_total', { stream: 'stderr' }), 4);
    assert.equal(delta('shellgate_spawn_duration_seconds_count'), 1);
    assert.ok(delta('shellgate_spawn_duration_seconds_sum') > 0);
    assert.ok(metricValue(after, 'shellgate_sessions', { state: 'exited', mode: 'pipe' }) >= 1);
  });

  test('refusals by reason: a bad token, a foreign Origin', async () => {
    const before = await metrics();
    assert.equal(
      (await api(gateway.url, 'GET', '/api/sessions', { token: 'wrong-wrong-wrong-wrong' })).status,
      401,
    );
    const foreign = await api(gateway.url, 'GET', '/api/sessions', {
      token: operator,
      origin: 'https://evil.example',
    });
    assert.equal(foreign.status, 403);
    const after = await metrics();
    assert.equal(
      metricValue(after, 'shellgate_refusals_total', { reason: 'auth' }) -
        metricValue(before, 'shellgate_refusals_total', { reason: 'auth' }),
      1,
    );
    assert.equal(
      metricValue(after, 'shellgate_refusals_total', { reason: 'origin' }) -
        metricValue(before, 'shellgate_refusals_total', { reason: 'origin' }),
      1,
    );
  });

  test('attached clients by role, and closes by code', async () => {
    const session = await createSession(gateway, 'cat', undefined, operator);
    const before = await metrics();
    const control = await connect(gateway.url, session.id, { token: operator });
    const viewer = await connect(gateway.url, session.id, { token: operator, role: 'view' });
    const during = await metrics();
    assert.equal(
      metricValue(during, 'shellgate_clients', { role: 'control' }) -
        metricValue(before, 'shellgate_clients', { role: 'control' }),
      1,
    );
    assert.equal(
      metricValue(during, 'shellgate_clients', { role: 'view' }) -
        metricValue(before, 'shellgate_clients', { role: 'view' }),
      1,
    );
    await viewer.close();
    await control.close();
    // The gateway counts a close when it sees it: wait for both (bounded).
    let after = '';
    for (let attempt = 0; attempt < 100; attempt += 1) {
      after = await metrics();
      const closes =
        metricValue(after, 'shellgate_websocket_closes_total', { code: '1005' }) -
        metricValue(before, 'shellgate_websocket_closes_total', { code: '1005' });
      if (closes >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // ws's close() sends no status code: the gateway sees 1005 ("no status received").
    assert.equal(
      metricValue(after, 'shellgate_websocket_closes_total', { code: '1005' }) -
        metricValue(before, 'shellgate_websocket_closes_total', { code: '1005' }),
      2,
    );
    assert.equal(
      metricValue(after, 'shellgate_clients', { role: 'view' }),
      metricValue(before, 'shellgate_clients', { role: 'view' }),
    );
  });
});

describe("the event loop's delay", () => {
  /** How often the gateway's main thread went to sleep and was woken up again, so far. */
  const wakeUps = (): number => {
    const status = readFileSync(`/proc/${gateway.pid}/task/${gateway.pid}/status`, 'utf8');
    return Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1]);
  };
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  /** Wake-ups in 3 s of a gateway nobody is attached to: ~300 with a sampler every 10 ms. */
  const idleWakeUps = async (): Promise<number> => {
    const start = wakeUps();
    await sleep(3_000);
    return wakeUps() - start;
  };

  test('is sampled every 10 ms while a client is attached, and not at all while none is', async () => {
    // Each scrape reads what was sampled since the one before, then starts afresh.
    await metrics();
    assert.ok((await idleWakeUps()) < 100, 'an idle gateway wakes up for no sampler');
    assert.equal(metricValue(await metrics(), 'nodejs_eventloop_lag_p50_seconds'), 0);

    const session = await createSession(gateway, 'cat', undefined, operator);
    try {
      const client = await connect(gateway.url, session.id, { token: operator });
      // Sampling starts with the attach: wait for a scrape that saw a few samples (bounded).
      let during = '';
      for (let attempt = 0; attempt < 20; attempt += 1) {
        await sleep(500);
        during = await metrics();
        if (metricValue(during, 'nodejs_eventloop_lag_p50_seconds') > 0) break;
      }
      // The time between two samples 10 ms apart (a timer of whole milliseconds may fire a little
      // early), as prom-client's own gauges report it.
      const p50 = metricValue(during, 'nodejs_eventloop_lag_p50_seconds');
      assert.ok(p50 > 0.005, `p50 ${p50}`);
      assert.ok(metricValue(during, 'nodejs_eventloop_lag_max_seconds') >= p50);
      assert.ok(metricValue(during, 'nodejs_eventloop_lag_min_seconds') <= p50);
      await client.close();
    } finally {
      await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: operator });
    }
    // Sampling stops with the last detach, which the gateway sees a moment after the close.
    await sleep(1_000);
    await metrics();
    assert.ok((await idleWakeUps()) < 100, 'the sampler stopped with the last client');
    assert.equal(metricValue(await metrics(), 'nodejs_eventloop_lag_p50_seconds'), 0);
  });
});

describe('gaps and heartbeat timeouts', () => {
  test('a client that asks for output no longer buffered gets a gap, and it is counted', async () => {
    // 3 MB read to the end by one client: the 1 MiB replay buffer keeps only the last of it.
    const session = await sh({ ...gateway, operatorToken: operator }, 'head -c 3000000 /dev/zero');
    const first = await connect(gateway.url, session.id, { token: operator });
    await first.nextMessage('exit');
    await first.close();
    const before = await metrics();
    const client = await connect(gateway.url, session.id, { token: operator, offset: 0, role: 'view' });
    const gap = await client.nextMessage('gap');
    assert.equal(gap.from, 0);
    await client.nextMessage('exit');
    await client.close();
    const after = await metrics();
    assert.equal(
      metricValue(after, 'shellgate_gaps_sent_total') - metricValue(before, 'shellgate_gaps_sent_total'),
      1,
    );
  });

  test('a client that never answers a ping is closed with 4008, counted as a heartbeat timeout', async () => {
    const session = await createSession(gateway, 'cat', undefined, operator);
    const before = await metrics();
    const silent = await connect(gateway.url, session.id, { token: operator, autoPong: false });
    // The test configuration pings every 2 s: the second ping finds the first unanswered.
    const closed = await silent.waitForClose(20_000);
    assert.equal(closed.code, 4008);
    const after = await metrics();
    const delta = (name: string, labels?: Record<string, string>): number =>
      metricValue(after, name, labels) - metricValue(before, name, labels);
    assert.equal(delta('shellgate_heartbeat_timeouts_total'), 1);
    assert.equal(delta('shellgate_websocket_closes_total', { code: '4008' }), 1);
  });
});

describe('a listener of its own, and metrics off', () => {
  test('metrics.listen serves /metrics without a credential on loopback', async () => {
    const own = await startGateway({ config: { metrics: { listen: { host: '127.0.0.1', port: 0 } } } });
    try {
      const line = own.stderr.find((entry) => entry.includes('"msg":"metrics listening"'));
      assert.ok(line !== undefined, own.stderr.join('\n'));
      const { port } = JSON.parse(line) as { port: number };
      const text = await scrape(`http://127.0.0.1:${port}/metrics`);
      assert.match(text, /^shellgate_paused_children 0$/m);
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 404);
      // On the gateway's own port, the operator (no "metrics": true) is still refused.
      assert.equal((await api(own.url, 'GET', '/metrics', { token: own.operatorToken })).status, 403);
    } finally {
      await own.stop();
    }
  });

  test('a metrics.listen port that cannot be bound stops start-up, naming metrics.listen', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      await assert.rejects(
        startGateway({ config: { metrics: { listen: { host: '127.0.0.1', port } } } }),
        new RegExp(`cannot listen on metrics\\.listen 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
      );
    } finally {
      holder.close();
    }
  });

  test('metrics.enabled false: no /metrics at all', async () => {
    const off = await startGateway({ config: { metrics: { enabled: false } } });
    try {
      assert.equal((await api(off.url, 'GET', '/metrics', { token: off.operatorToken })).status, 404);
    } finally {
      await off.stop();
    }
  });

  test('a non-loopback metrics.listen is refused unless allowed', async () => {
    await assert.rejects(
      resolveConfig({ metrics: { listen: { host: '0.0.0.0', port: 9464 } } }),
      /metrics\.listen\.host: "0\.0\.0\.0" is not a loopback address.*metrics\.allowNonLoopback/,
    );
    const allowed = await resolveConfig({
      metrics: { listen: { host: '0.0.0.0', port: 9464 }, allowNonLoopback: true },
    });
    assert.equal(allowed.metrics.listen?.host, '0.0.0.0');
  });
});
