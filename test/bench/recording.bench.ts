// What recording costs the relay (docs/recording.md), measured against the same gateway with
// recording off, in the same run, alternating so that the machine's drift hits both alike:
// - throughput: 64 MiB of text lines (`yes … | head -c`) through a pipe session to a WebSocket
//   client, every byte counted, with the session recorded and not; the recording must be whole
//   (no stretch dropped) for the run to count;
// - echo round-trip through `cat`, 32-byte messages, p50/p99, recorded and not.
// Targets: throughput recorded ≥ 0.9× unrecorded; echo p99 within noise.
// Usage: npm run bench -- recording
import { randomBytes } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBPROTOCOL, streamUrl } from '@shellgate/shared';
import WebSocket from 'ws';
import { startGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../helpers/gateway.ts';
import { api, getString } from '../helpers/http.ts';
import { receiveUntilExit } from './lean-client.ts';
import { echoRoundTrips } from './echo.ts';
import { median, percentile } from './stats.ts';
import { loadAverage, report, setExitStatus } from './report.ts';

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;
const RUNS = 5;
const WARM_UP_RUNS = 1;
const ECHO_BLOCKS = 6;
const ECHO_PER_BLOCK = 500;
const ACK_EVERY = 128 * 1024;
const LINE = 'the quick brown fox jumps over the lazy dog 0123456789';
const TEXT = `yes '${LINE}' | head -c ${TOTAL}`;

async function create(gateway: Gateway, profile: string): Promise<string> {
  const response = await api(gateway.url, 'POST', '/api/sessions', {
    token: gateway.operatorToken,
    body: { profile },
  });
  if (response.status !== 201) throw new Error(`create failed: ${response.text}`);
  return getString(response.body, 'session', 'id');
}

async function relay(gateway: Gateway, profile: string): Promise<number> {
  const start = performance.now();
  const id = await create(gateway, profile);
  const receipt = await receiveUntilExit(gateway.url, gateway.operatorToken, id, ACK_EVERY);
  const seconds = (performance.now() - start) / 1000;
  await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: gateway.operatorToken });
  if (receipt.bytes !== TOTAL) throw new Error(`relay delivered ${receipt.bytes} of ${TOTAL} bytes`);
  return TOTAL / seconds;
}

function open(gateway: Gateway, id: string): Promise<WebSocket> {
  const ws = new WebSocket(streamUrl(gateway.url, id), [SUBPROTOCOL], {
    headers: { authorization: `Bearer ${gateway.operatorToken}` },
    perMessageDeflate: false,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Bytes the recordings in `dir` say they dropped (the disk was slower than the session). */
async function droppedBytes(dir: string): Promise<number> {
  let dropped = 0;
  for (const name of await readdir(dir)) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const match of text.matchAll(/recording dropped (\d+) bytes/g)) dropped += Number(match[1]);
  }
  return dropped;
}

const dir = join(tmpdir(), `shellgate-bench-recordings-${randomBytes(6).toString('hex')}`);
const gateway = await startGateway({
  config: {
    recording: { enabled: false, dir, maxBytesPerRecording: 512 * MiB, maxTotalBytes: 1024 * MiB },
    profiles: {
      text: { argv: ['sh', '-c', TEXT], mode: 'pipe', record: false },
      'text-recorded': { argv: ['sh', '-c', TEXT], mode: 'pipe', record: true },
      cat: { argv: ['cat'], mode: 'pipe', record: false },
      'cat-recorded': { argv: ['cat'], mode: 'pipe', record: true },
    },
  },
});
try {
  console.log(`load average before: ${loadAverage()}`);
  for (let i = 0; i < WARM_UP_RUNS; i += 1) {
    await relay(gateway, 'text');
    await relay(gateway, 'text-recorded');
  }
  const plain: number[] = [];
  const recorded: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    // Alternating which goes first, so that neither always follows the other's disk writes.
    if (run % 2 === 0) {
      plain.push(await relay(gateway, 'text'));
      recorded.push(await relay(gateway, 'text-recorded'));
    } else {
      recorded.push(await relay(gateway, 'text-recorded'));
      plain.push(await relay(gateway, 'text'));
    }
  }
  const dropped = await droppedBytes(dir).catch(() => 0);
  const ratio = median(recorded) / median(plain);
  report(
    `relay of 64 MiB of text lines: recorded ${(median(recorded) / MiB).toFixed(0)} MiB/s vs unrecorded ${(median(plain) / MiB).toFixed(0)} MiB/s = ${ratio.toFixed(2)}× (target ≥ 0.90×); runs recorded ${recorded.map((r) => (r / MiB).toFixed(0)).join(' ')}, unrecorded ${plain.map((r) => (r / MiB).toFixed(0)).join(' ')}`,
    ratio >= 0.9,
  );
  report(`recordings dropped ${dropped} bytes for a slow disk (0: every byte recorded)`, dropped === 0);

  const sessions = {
    plain: await open(gateway, await create(gateway, 'cat')),
    recorded: await open(gateway, await create(gateway, 'cat-recorded')),
  };
  await echoRoundTrips(sessions.plain, 200, ACK_EVERY);
  await echoRoundTrips(sessions.recorded, 200, ACK_EVERY);
  const times = { plain: [] as number[], recorded: [] as number[] };
  for (let block = 0; block < ECHO_BLOCKS; block += 1) {
    times.plain.push(...(await echoRoundTrips(sessions.plain, ECHO_PER_BLOCK, ACK_EVERY)));
    times.recorded.push(...(await echoRoundTrips(sessions.recorded, ECHO_PER_BLOCK, ACK_EVERY)));
  }
  sessions.plain.close();
  sessions.recorded.close();
  const p = (list: number[], q: number): string => percentile(list, q).toFixed(0);
  report(
    `echo through cat, 32 B: recorded p50/p99 ${p(times.recorded, 50)}/${p(times.recorded, 99)} µs vs unrecorded ${p(times.plain, 50)}/${p(times.plain, 99)} µs`,
  );
  console.log(`load average after: ${loadAverage()}`);
} finally {
  await gateway.stop();
  await rm(dir, { recursive: true, force: true });
}
setExitStatus();
