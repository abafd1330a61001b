// The cost of metrics: the same relay and echo measured on two gateways started alike, one with
// metrics on (and scraped every second, as Prometheus would) and one with `metrics.enabled: false`,
// alternating run by run in the same process so that the machine's drift falls on both.
// - throughput: 128 MiB of `head -c … /dev/zero` to a lean WebSocket client, every byte counted;
// - echo round-trip through `cat`, 32-byte messages: p99.
// Targets: throughput with metrics ≥ 0.95× without; echo p99 with metrics ≤ 1.10× without (plus
// 20 µs for timer noise). Usage: npm run bench -- metrics
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
const TOTAL = 128 * MiB;
const RUNS = 5;
const WARM_UP_RUNS = 2;
const ECHO_MESSAGES = 2000;
const ACK_EVERY = 128 * 1024;
const SCRAPE_EVERY_MS = 1000;
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';
const SCRAPER_TOKEN = 'bench-scraper-token-0123456789';

function benchGateway(metrics: boolean): Promise<Gateway> {
  return startGateway({
    config: {
      profiles: {
        zero: { argv: ['head', '-c', String(TOTAL), '/dev/zero'], mode: 'pipe' },
        cat: { argv: ['cat'], mode: 'pipe' },
      },
      // The list replaces the helper's: the operator token is ours, and so is Prometheus'.
      tokens: [
        { name: 'operator', token: OPERATOR_TOKEN, role: 'operator' },
        { name: 'prometheus', token: SCRAPER_TOKEN, role: 'viewer', scope: 'own', metrics: true },
      ],
      metrics: { enabled: metrics },
      log: { level: 'warn' },
    },
  }).then((gateway) => ({ ...gateway, operatorToken: OPERATOR_TOKEN }));
}

async function create(gateway: Gateway, profile: string): Promise<string> {
  const response = await api(gateway.url, 'POST', '/api/sessions', {
    token: gateway.operatorToken,
    body: { profile },
  });
  if (response.status !== 201) throw new Error(`create failed: ${response.text}`);
  return getString(response.body, 'session', 'id');
}

async function relay(gateway: Gateway): Promise<number> {
  const start = performance.now();
  const id = await create(gateway, 'zero');
  const receipt = await receiveUntilExit(gateway.url, gateway.operatorToken, id, ACK_EVERY);
  const seconds = (performance.now() - start) / 1000;
  await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: gateway.operatorToken });
  if (receipt.bytes !== TOTAL) throw new Error(`relay delivered ${receipt.bytes} of ${TOTAL} bytes`);
  return TOTAL / seconds;
}

/** p99 of 32-byte round trips through a fresh `cat` session, in microseconds. */
async function echoP99(gateway: Gateway): Promise<number> {
  const id = await create(gateway, 'cat');
  const ws = new WebSocket(streamUrl(gateway.url, id), [SUBPROTOCOL], {
    headers: { authorization: `Bearer ${gateway.operatorToken}` },
    perMessageDeflate: false,
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const times = await echoRoundTrips(ws, ECHO_MESSAGES, ACK_EVERY);
  ws.close();
  await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: gateway.operatorToken });
  await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: gateway.operatorToken });
  return percentile(times, 99);
}

async function main(): Promise<void> {
  console.log(`command: npm run bench -- metrics   (node ${process.version}; load average ${loadAverage()})`);
  const on = await benchGateway(true);
  const off = await benchGateway(false);
  const probe = await fetch(`${on.url}/metrics`, { headers: { authorization: `Bearer ${SCRAPER_TOKEN}` } });
  if (probe.status !== 200) throw new Error(`the metrics gateway does not serve /metrics (${probe.status})`);
  await probe.arrayBuffer();
  // Prometheus' side: a scrape every second of the gateway with metrics on, all along.
  const scraping = setInterval(() => {
    void fetch(`${on.url}/metrics`, { headers: { authorization: `Bearer ${SCRAPER_TOKEN}` } })
      .then((response) => response.arrayBuffer())
      .catch(() => undefined);
  }, SCRAPE_EVERY_MS);
  try {
    for (let run = 0; run < WARM_UP_RUNS; run += 1) {
      await relay(on);
      await relay(off);
      await echoP99(on);
      await echoP99(off);
    }
    const rates = { on: [] as number[], off: [] as number[] };
    const p99s = { on: [] as number[], off: [] as number[] };
    for (let run = 0; run < RUNS; run += 1) {
      // Alternating which goes first: neither always gets the quieter moment.
      const order: Array<['on' | 'off', Gateway]> =
        run % 2 === 0
          ? [
              ['on', on],
              ['off', off],
            ]
          : [
              ['off', off],
              ['on', on],
            ];
      for (const [name, gateway] of order) rates[name].push(await relay(gateway));
      for (const [name, gateway] of order) p99s[name].push(await echoP99(gateway));
    }
    const rateOn = median(rates.on);
    const rateOff = median(rates.off);
    const p99On = median(p99s.on);
    const p99Off = median(p99s.off);
    report(
      `relay 128 MiB with metrics: ${(rateOn / MiB).toFixed(0)} MiB/s vs ${(rateOff / MiB).toFixed(0)} without = ${(rateOn / rateOff).toFixed(3)}× (target ≥ 0.95×)`,
      rateOn / rateOff >= 0.95,
    );
    report(
      `echo through cat, 32 B, p99 with metrics: ${p99On.toFixed(0)} µs vs ${p99Off.toFixed(0)} without = ${(p99On / p99Off).toFixed(2)}× (target ≤ 1.10× + 20 µs)`,
      p99On <= p99Off * 1.1 + 20,
    );
  } finally {
    clearInterval(scraping);
    await on.stop();
    await off.stop();
  }
  setExitStatus();
}

await main();
