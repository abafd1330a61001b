// Fleet mode's cost (docs/fleet.md): the same session measured direct to its owner (node a) and
// through an entry node (node b) that forwards to it, in the same run, on one embedded PostgreSQL:
// - throughput: 256 MiB of `head -c … /dev/zero` to a lean WebSocket client (target ≥ 0.8× direct);
// - echo round-trip through `cat`, 32-byte messages: p50/p99, and what the entry adds;
// - attach: WebSocket handshake until `hello`, p50/p99, and what the entry adds.
// Runs alternate direct / through the entry so that load drifts hit both alike.
// Usage: npm run bench -- fleet
import { randomBytes } from 'node:crypto';
import { SUBPROTOCOL, streamUrl } from '@shellgate/shared';
import WebSocket from 'ws';
import { startGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../helpers/gateway.ts';
import { api, getString } from '../helpers/http.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { receiveUntilExit } from './lean-client.ts';
import { echoRoundTrips } from './echo.ts';
import { median, percentile } from './stats.ts';
import { loadAverage, report, setExitStatus } from './report.ts';

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;
const RUNS = 5;
const ECHO_MESSAGES = 3000;
const ATTACHES = 200;
const ACK_EVERY = 128 * 1024;
const TARGET_RATIO = 0.8;
const TOKEN = randomBytes(24).toString('base64url');
const SECRET = randomBytes(32).toString('base64url');

const info = (line: string): void => console.log(`      ${line}`);

async function create(gateway: Gateway, profile: string): Promise<string> {
  const response = await api(gateway.url, 'POST', '/api/sessions', { token: TOKEN, body: { profile } });
  if (response.status !== 201) throw new Error(`create failed: ${response.text}`);
  return getString(response.body, 'session', 'id');
}

async function remove(gateway: Gateway, id: string): Promise<void> {
  await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: TOKEN });
}

/** Opens a stream and resolves at `hello`, with the time that took in microseconds. */
function attach(url: string, id: string): Promise<{ ws: WebSocket; micros: number }> {
  const start = process.hrtime.bigint();
  const ws = new WebSocket(streamUrl(url, id), [SUBPROTOCOL], {
    headers: { authorization: `Bearer ${TOKEN}` },
    perMessageDeflate: false,
  });
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', function hello(data: Buffer, isBinary: boolean) {
      if (isBinary || !data.toString('utf8').includes('"hello"')) return;
      ws.off('message', hello);
      resolve({ ws, micros: Number(process.hrtime.bigint() - start) / 1000 });
    });
  });
}

async function closed(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  await new Promise((resolve) => {
    ws.once('close', resolve);
    ws.close();
  });
}

async function throughput(owner: Gateway, through: Gateway): Promise<number> {
  const id = await create(owner, 'zero');
  const start = performance.now();
  const receipt = await receiveUntilExit(through.url, TOKEN, id, ACK_EVERY);
  const seconds = (performance.now() - start) / 1000;
  await remove(owner, id);
  if (receipt.bytes !== TOTAL) throw new Error(`delivered ${receipt.bytes} of ${TOTAL} bytes`);
  return TOTAL / seconds;
}

const fmt = (micros: number): string => `${micros.toFixed(0)} µs`;

async function main(): Promise<void> {
  console.log(`command: npm run bench -- fleet   (node ${process.version}; load average ${loadAverage()})`);
  const postgres = await startPostgres();
  const nodes: Gateway[] = [];
  try {
    for (const name of ['a', 'b']) {
      nodes.push(
        await startGateway({
          config: {
            tokens: [{ name: 'operator', token: TOKEN, role: 'operator' }],
            profiles: {
              zero: { argv: ['head', '-c', String(TOTAL), '/dev/zero'], mode: 'pipe' },
              cat: { argv: ['cat'], mode: 'pipe' },
            },
            fleet: { database: postgres.url, node: name, secretEnv: 'FLEET_SECRET', leaseSeconds: 15 },
            log: { level: 'warn' },
          },
          env: { FLEET_SECRET: SECRET },
        }),
      );
    }
    const [owner, entry] = nodes;
    if (owner === undefined || entry === undefined) throw new Error('two nodes expected');

    // Throughput, alternating, after one unmeasured run each.
    await throughput(owner, owner);
    await throughput(owner, entry);
    const direct: number[] = [];
    const forwarded: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      direct.push(await throughput(owner, owner));
      forwarded.push(await throughput(owner, entry));
    }
    const directRate = median(direct);
    const forwardedRate = median(forwarded);
    const ratio = forwardedRate / directRate;
    info(`256 MiB direct: ${(directRate / MiB).toFixed(0)} MiB/s (median of ${RUNS})`);
    info(`256 MiB through the entry node: ${(forwardedRate / MiB).toFixed(0)} MiB/s`);
    report(
      `throughput through the entry node: ${ratio.toFixed(2)}× direct (target ≥ ${TARGET_RATIO}×)`,
      ratio >= TARGET_RATIO,
    );

    // Echo.
    const id = await create(owner, 'cat');
    const directWs = (await attach(owner.url, id)).ws;
    const entryWs = (await attach(entry.url, id)).ws;
    await echoRoundTrips(directWs, 300, ACK_EVERY);
    await echoRoundTrips(entryWs, 300, ACK_EVERY);
    const echoDirect: number[] = [];
    const echoEntry: number[] = [];
    for (let round = 0; round < 6; round += 1) {
      echoDirect.push(...(await echoRoundTrips(directWs, ECHO_MESSAGES / 6, ACK_EVERY)));
      echoEntry.push(...(await echoRoundTrips(entryWs, ECHO_MESSAGES / 6, ACK_EVERY)));
    }
    info(`echo direct: p50 ${fmt(percentile(echoDirect, 50))}, p99 ${fmt(percentile(echoDirect, 99))}`);
    info(
      `echo through the entry node: p50 ${fmt(percentile(echoEntry, 50))}, p99 ${fmt(percentile(echoEntry, 99))}`,
    );
    info(`the entry node adds ${fmt(percentile(echoEntry, 50) - percentile(echoDirect, 50))} per echo (p50)`);
    await Promise.all([closed(directWs), closed(entryWs)]);

    // Attach.
    const attachDirect: number[] = [];
    const attachEntry: number[] = [];
    for (let i = 0; i < ATTACHES; i += 1) {
      const a = await attach(owner.url, id);
      attachDirect.push(a.micros);
      await closed(a.ws);
      const b = await attach(entry.url, id);
      attachEntry.push(b.micros);
      await closed(b.ws);
    }
    await remove(owner, id);
    info(`attach direct: p50 ${fmt(percentile(attachDirect, 50))}, p99 ${fmt(percentile(attachDirect, 99))}`);
    info(
      `attach through the entry node: p50 ${fmt(percentile(attachEntry, 50))}, p99 ${fmt(percentile(attachEntry, 99))}`,
    );
    info(
      `the entry node adds ${fmt(percentile(attachEntry, 50) - percentile(attachDirect, 50))} per attach (p50; a directory lookup and a signed handshake)`,
    );
  } finally {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    await postgres.dispose();
  }
  setExitStatus();
}

await main();
