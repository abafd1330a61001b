// The cost of an API request: the gateway answering `GET /api/sessions` (express, its guards, the
// credential check) against a bare node:http server answering the same JSON, both started with the
// gateway's Node flags and asked by the same client one request after another over one keep-alive
// connection, alternating run by run. Measured: each server's main-thread CPU per request (with
// --single-threaded-gc its collections run there too), and the gateway's RSS after it all.
// Target: the gateway at most 2.5× the bare server's CPU per request. Before requests were born with
// express's prototypes (server/src/http/message-classes.ts) it was 3.6×, and these 14,000 requests
// left 34 MiB more RSS behind (1.9–2.0× and 2–3 MiB since). Usage: npm run bench -- api
import { startGateway } from '../helpers/gateway.ts';
import { residentBytes } from '../helpers/leaks.ts';
import { startBareServer } from './bare-server.ts';
import { cpuMs } from './cpu.ts';
import { median } from './stats.ts';
import { loadAverage, report, setExitStatus } from './report.ts';

const WARM_UP_REQUESTS = 2000;
const REQUESTS = 3000;
const RUNS = 4;
const TARGET_RATIO = 2.5;

interface Server {
  url: string;
  pid: number;
}

/** Main-thread CPU per request, in microseconds, over `count` requests one after another. */
async function cpuPerRequest(server: Server, token: string, count: number): Promise<number> {
  const before = cpuMs(server.pid).main;
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${server.url}/api/sessions`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200) throw new Error(`GET /api/sessions: HTTP ${response.status}`);
    await response.arrayBuffer();
  }
  return ((cpuMs(server.pid).main - before) * 1000) / count;
}

async function main(): Promise<void> {
  console.log(`command: npm run bench -- api   (node ${process.version}; load average ${loadAverage()})`);
  const gateway = await startGateway({ config: { log: { level: 'warn' } } });
  const bare = await startBareServer();
  const servers: Record<'gateway' | 'bare', Server> = { gateway, bare };
  try {
    const idleRss = residentBytes(gateway.pid);
    for (const server of Object.values(servers))
      await cpuPerRequest(server, gateway.operatorToken, WARM_UP_REQUESTS);
    const costs = { gateway: [] as number[], bare: [] as number[] };
    for (let run = 0; run < RUNS; run += 1) {
      // Alternating which goes first: neither always gets the quieter moment.
      const order = run % 2 === 0 ? (['gateway', 'bare'] as const) : (['bare', 'gateway'] as const);
      for (const name of order)
        costs[name].push(await cpuPerRequest(servers[name], gateway.operatorToken, REQUESTS));
    }
    const gatewayCost = median(costs.gateway);
    const bareCost = median(costs.bare);
    const ratio = gatewayCost / bareCost;
    report(
      `GET /api/sessions, main-thread CPU per request: gateway ${gatewayCost.toFixed(0)} µs vs a bare node:http server ${bareCost.toFixed(0)} µs = ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×; runs ${costs.gateway.map((c) => c.toFixed(0)).join(', ')} / ${costs.bare.map((c) => c.toFixed(0)).join(', ')} µs; load ${loadAverage()})`,
      ratio <= TARGET_RATIO,
    );
    const requests = WARM_UP_REQUESTS + RUNS * REQUESTS;
    const grown = (residentBytes(gateway.pid) - idleRss) / 2 ** 20;
    report(
      `gateway RSS after ${requests} requests: ${grown.toFixed(1)} MiB above its idle ${(idleRss / 2 ** 20).toFixed(1)} MiB`,
    );
  } finally {
    await bare.stop();
    await gateway.stop();
  }
  setExitStatus();
}

await main();
