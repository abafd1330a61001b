// The operator client, measured against baselines taken in the same run (these machines are noisy):
// - `shellgate exec` relaying 256 MiB to /dev/null, against the bench's lean client reading the same
//   output from a session it created (target ≥ 0.8×);
// - commands per second for `exec true`, serially and 8 at a time: the `shellgate exec` process,
//   and in-process clients on the exec upgrade against the two-request path (POST, then attach;
//   target ≥ 2×). The CLI's rate includes starting node for every command. Beside them, the same
//   command started and waited for by the process core alone, under the keeper and in a cgroup as
//   the gateway starts it, with no gateway: a ceiling for both paths, which shows how far 2× can go;
// - the latency of one `exec true` on a gateway that was idle for a moment (what an operator typing
//   commands meets), against the same back to back;
// - the same two in-process clients over an emulated link with a 10 ms round trip (a delaying TCP
//   proxy), where round trips and not the process set the pace. A command is 2 round trips on the
//   exec upgrade (the TCP handshake, then the upgrade; `exit` follows the 101 by the process's run
//   time) and 3 on the two-request path (the POST on a kept-alive connection, then a handshake and
//   the upgrade), so the ratio tends to 1.5× as the round trip grows; a client that opened a new
//   connection for its POST would tend to 2× — no gateway can take it beyond that.
// Medians of several runs. Usage: npm run bench -- cli
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Containment } from '../../server/src/containment/index.ts';
import { createLogger } from '../../server/src/log/logger.ts';
import { Process } from '../../server/src/process/index.ts';
import { startGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../helpers/gateway.ts';
import { api, getString } from '../helpers/http.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { CLIENT_BUNDLE, cliExecTrue, execUpgradeTrue, rate, twoRequestTrue } from './exec-rate.ts';
import { receiveUntilExit } from './lean-client.ts';
import { median } from './stats.ts';
import { report, setExitStatus } from './report.ts';

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;
const RELAY_RUNS = 3;
const RATE_RUNS = 3;
const SERIAL_COMMANDS = 20;
const PARALLEL_COMMANDS = 48;
const ACK_EVERY = 128 * 1024;
const LINK_DELAY_MS = 5; // each way: a 10 ms round trip
const LINK_COMMANDS = 10;
const IDLE_COMMANDS = 15;
const IDLE_PAUSE_MS = 200;
const SCRIPT = `head -c ${TOTAL} /dev/zero`;

async function leanRelay(gateway: Gateway): Promise<number> {
  const start = performance.now();
  const created = await api(gateway.url, 'POST', '/api/sessions', {
    token: gateway.operatorToken,
    body: { profile: 'sh', args: [SCRIPT] },
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.text}`);
  const receipt = await receiveUntilExit(
    gateway.url,
    gateway.operatorToken,
    getString(created.body, 'session', 'id'),
    ACK_EVERY,
  );
  if (receipt.bytes !== TOTAL) throw new Error(`lean client got ${receipt.bytes} bytes`);
  return TOTAL / ((performance.now() - start) / 1000);
}

async function cliRelay(gateway: Gateway): Promise<number> {
  const devNull = openSync('/dev/null', 'w');
  const start = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [CLIENT_BUNDLE, 'exec', '-n', 'sh', SCRIPT], {
        stdio: ['ignore', devNull, 'inherit'],
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          SHELLGATE_URL: gateway.url,
          SHELLGATE_TOKEN: gateway.operatorToken,
        },
      });
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`shellgate exec exited ${code}`)),
      );
    });
  } finally {
    closeSync(devNull);
  }
  return TOTAL / ((performance.now() - start) / 1000);
}

/** `sh -c true` as a session's process starts (own group, keeper, cgroup when there is one). */
async function processAlone(containment: Containment): Promise<void> {
  const cell = await containment.enter();
  try {
    const child = await Process.spawn(['sh', '-c', 'true'], {
      detached: true,
      killGroupOnExit: true,
      collect: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      keeper: cell.keeper,
      cgroup: cell.cgroup,
    });
    await child.wait();
  } finally {
    await cell.release();
  }
}

async function latency(job: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await job();
  return performance.now() - start;
}

const mibps = (bytesPerSecond: number): string => `${(bytesPerSecond / MiB).toFixed(0)} MiB/s`;

async function main(): Promise<void> {
  const gateway = await startGateway({ config: { limits: { exitedSessionTtlMs: 1_000 } } });
  const containment = Containment.create({ keeper: true, cgroup: 'auto' }, createLogger('silent'));
  await containment.open();
  try {
    const target = { url: gateway.url, token: gateway.operatorToken };
    await leanRelay(gateway); // warm-up
    const lean: number[] = [];
    const cli: number[] = [];
    for (let run = 0; run < RELAY_RUNS; run += 1) {
      lean.push(await leanRelay(gateway));
      cli.push(await cliRelay(gateway));
    }
    const relayRatio = median(cli) / median(lean);
    report(
      `relay 256 MiB: shellgate exec ${mibps(median(cli))} (node start-up included), lean client ${mibps(median(lean))}: ${relayRatio.toFixed(2)}× (target ≥ 0.8×)`,
      relayRatio >= 0.8,
    );

    for (const [label, count, parallel] of [
      ['serial', SERIAL_COMMANDS, 1],
      ['8 in parallel', PARALLEL_COMMANDS, 8],
    ] as const) {
      const cliRates: number[] = [];
      const execRates: number[] = [];
      const twoRates: number[] = [];
      const aloneRates: number[] = [];
      for (let run = 0; run < RATE_RUNS; run += 1) {
        execRates.push(await rate(count, parallel, () => execUpgradeTrue(target)));
        twoRates.push(await rate(count, parallel, () => twoRequestTrue(target)));
        cliRates.push(await rate(count, parallel, () => cliExecTrue(target)));
        aloneRates.push(await rate(count, parallel, () => processAlone(containment)));
      }
      const ratio = median(execRates) / median(twoRates);
      report(
        `exec true, ${label}: exec upgrade ${median(execRates).toFixed(1)}/s, two requests ${median(twoRates).toFixed(1)}/s: ${ratio.toFixed(2)}× (target ≥ 2×)`,
        ratio >= 2,
      );
      report(`exec true, ${label}: the shellgate exec process ${median(cliRates).toFixed(1)}/s`);
      report(
        `exec true, ${label}: the process alone, no gateway ${median(aloneRates).toFixed(1)}/s (2× the two-request rate would be ${(2 * median(twoRates)).toFixed(1)}/s)`,
      );
    }

    const idle: number[] = [];
    const busy: number[] = [];
    for (let command = 0; command < IDLE_COMMANDS; command += 1) {
      await sleep(IDLE_PAUSE_MS);
      idle.push(await latency(() => execUpgradeTrue(target)));
      busy.push(await latency(() => execUpgradeTrue(target)));
    }
    report(
      `exec true, latency after ${IDLE_PAUSE_MS} ms idle: p50 ${median(idle).toFixed(2)} ms; straight after another: ${median(busy).toFixed(2)} ms`,
    );

    const link = await startTcpProxy(gateway.port, { delayMs: LINK_DELAY_MS });
    try {
      const distant = { url: link.url, token: gateway.operatorToken };
      const execRates: number[] = [];
      const twoRates: number[] = [];
      for (let run = 0; run < RATE_RUNS; run += 1) {
        execRates.push(await rate(LINK_COMMANDS, 1, () => execUpgradeTrue(distant)));
        twoRates.push(await rate(LINK_COMMANDS, 1, () => twoRequestTrue(distant)));
      }
      const ratio = median(execRates) / median(twoRates);
      report(
        `exec true over a ${2 * LINK_DELAY_MS} ms round trip, serial: exec upgrade ${median(execRates).toFixed(1)}/s, two requests ${median(twoRates).toFixed(1)}/s: ${ratio.toFixed(2)}× (round trips alone allow 3 / 2 = 1.5×)`,
      );
    } finally {
      await link.close();
    }
  } finally {
    await containment.close();
    await gateway.stop();
  }
  setExitStatus();
}

await main();
