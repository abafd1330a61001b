// What a gateway nobody uses costs its host: the main thread's CPU and how often it wakes up, with
// the default configuration's metrics on, against a bare node:http server idling beside it in the
// same seconds. Both are first left alone long enough for V8's memory reducer to have run (it
// collects ~30 s after a start). Target: at most 5 wake-ups a second; prom-client's event loop
// monitor alone woke the gateway 100 times a second (4.8 ms of CPU a second) before it was made to
// sample only while a client is attached (server/src/metrics/loop-delay.ts). Usage:
// npm run bench -- idle
import { readFileSync } from 'node:fs';
import { startGateway } from '../helpers/gateway.ts';
import { startBareServer } from './bare-server.ts';
import { loadAverage, report, setExitStatus } from './report.ts';

const SETTLE_MS = 40_000;
const MEASURE_MS = 30_000;
const TARGET_WAKE_UPS_PER_SECOND = 5;

/** The main thread's run time (ns, exact: ticks would round an idle process to 0) and wake-ups. */
function mainThread(pid: number): { runNs: number; wakeUps: number } {
  const task = `/proc/${pid}/task/${pid}`;
  const runNs = Number(readFileSync(`${task}/schedstat`, 'utf8').split(' ')[0]);
  const status = readFileSync(`${task}/status`, 'utf8');
  return { runNs, wakeUps: Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1]) };
}

async function main(): Promise<void> {
  console.log(`command: npm run bench -- idle   (node ${process.version}; load average ${loadAverage()})`);
  const gateway = await startGateway({ config: { log: { level: 'warn' } } });
  const bare = await startBareServer();
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const before = { gateway: mainThread(gateway.pid), bare: mainThread(bare.pid) };
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    const seconds = MEASURE_MS / 1000;
    const per = (name: 'gateway' | 'bare', pid: number): { cpuUs: number; wakeUps: number } => {
      const after = mainThread(pid);
      return {
        cpuUs: (after.runNs - before[name].runNs) / 1000 / seconds,
        wakeUps: (after.wakeUps - before[name].wakeUps) / seconds,
      };
    };
    const idle = { gateway: per('gateway', gateway.pid), bare: per('bare', bare.pid) };
    report(
      `idle, ${seconds} s after ${SETTLE_MS / 1000} s alone: gateway ${idle.gateway.wakeUps.toFixed(1)} wake-ups and ${idle.gateway.cpuUs.toFixed(0)} µs of main-thread CPU a second vs a bare node:http server's ${idle.bare.wakeUps.toFixed(1)} and ${idle.bare.cpuUs.toFixed(0)} µs (target ≤ ${TARGET_WAKE_UPS_PER_SECOND} wake-ups a second; load ${loadAverage()})`,
      idle.gateway.wakeUps <= TARGET_WAKE_UPS_PER_SECOND,
    );
  } finally {
    await bare.stop();
    await gateway.stop();
  }
  setExitStatus();
}

await main();
