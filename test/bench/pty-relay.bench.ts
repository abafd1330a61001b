// PTY relay throughput: bytes per second from a program writing to a pseudo-terminal, through the
// gateway, to a WebSocket client — against the raw PTY rate measured in the same run
// (`script -qfc '…' /dev/null > /dev/null`: the kernel's PTY with a C reader). Every byte is
// counted: the run fails if one is missing. The server-side screen tracking (a headless terminal
// in a worker) is measured apart, by running the same profile with `screen` on and off.
// Usage: npm run bench -- pty-relay
import { spawn } from 'node:child_process';
import { FrameType, SUBPROTOCOL, parseServerMessage, streamUrl } from '@shellgate/shared';
import WebSocket from 'ws';
import { startGateway } from '../helpers/gateway.ts';
import type { Gateway } from '../helpers/gateway.ts';
import { api, getString } from '../helpers/http.ts';
import { median } from './stats.ts';
import { report, setExitStatus } from './report.ts';

const MiB = 1024 * 1024;
const RUNS = 3;
const ACK_EVERY = 128 * 1024;
const TARGET = 0.85;

interface Workload {
  name: string;
  /** The shell command line that writes to the terminal. */
  command: string;
  /** Bytes the terminal delivers for it (the tty turns each "\n" into "\r\n"). */
  expected: number;
}

const ZEROS = 256 * MiB;
const TEXT = 64 * MiB;
const LINE = 'the quick brown fox jumps over the lazy dog';
const WORKLOADS: Workload[] = [
  { name: `${ZEROS / MiB} MiB of zeros`, command: `head -c ${ZEROS} /dev/zero`, expected: ZEROS },
  {
    name: `${TEXT / MiB} MiB of text lines`,
    command: `yes '${LINE}' | head -c ${TEXT}`,
    expected: TEXT + Math.floor(TEXT / (LINE.length + 1)),
  },
];

const mbps = (bytesPerSecond: number): string => `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;

/** The raw rate: the same command on a PTY made by script(1), its output thrown away. */
async function rawRate(workload: Workload): Promise<number> {
  const start = performance.now();
  const child = spawn('sh', ['-c', `script -qfc "${workload.command}" /dev/null > /dev/null`], {
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`script exited with ${code}`);
  return workload.expected / ((performance.now() - start) / 1000);
}

/** Starts `profile`, attaches from offset 0, counts output until `exit`. Bytes per second. */
async function relayRate(gateway: Gateway, profile: string, workload: Workload): Promise<number> {
  const start = performance.now();
  const created = await api(gateway.url, 'POST', '/api/sessions', {
    token: gateway.operatorToken,
    body: { profile, args: [workload.command] },
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.text}`);
  const id = getString(created.body, 'session', 'id');
  const ws = new WebSocket(streamUrl(gateway.url, id, { offset: 0 }), [SUBPROTOCOL], {
    headers: { authorization: `Bearer ${gateway.operatorToken}` },
    perMessageDeflate: false,
  });
  let bytes = 0;
  let acked = 0;
  const exited = new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        if (data[0] === FrameType.Stdout) bytes += data.length - 1;
        if (bytes - acked >= ACK_EVERY) {
          acked = bytes;
          ws.send(JSON.stringify({ type: 'ack', offset: bytes }));
        }
        return;
      }
      const message = parseServerMessage(data.toString('utf8'));
      if (message.type === 'exit') resolve();
      if (message.type === 'error') reject(new Error(message.message));
    });
    ws.once('error', reject);
  });
  await exited;
  const seconds = (performance.now() - start) / 1000;
  ws.close();
  await api(gateway.url, 'DELETE', `/api/sessions/${id}`, { token: gateway.operatorToken });
  if (bytes !== workload.expected) {
    throw new Error(`${profile}: ${bytes} bytes arrived, ${workload.expected} were written: output lost`);
  }
  return bytes / seconds;
}

const gateway = await startGateway({
  config: {
    profiles: {
      'pty-screen': { argv: ['sh', '-c'], mode: 'pty', allowArgs: true, screen: true },
      'pty-raw': { argv: ['sh', '-c'], mode: 'pty', allowArgs: true, screen: false },
    },
    log: { level: 'warn' },
  },
});
try {
  for (const workload of WORKLOADS) {
    const raw: number[] = [];
    const tracked: number[] = [];
    const untracked: number[] = [];
    // Interleaved, so that a burst of load elsewhere hits every variant alike.
    for (let run = 0; run < RUNS; run += 1) {
      raw.push(await rawRate(workload));
      untracked.push(await relayRate(gateway, 'pty-raw', workload));
      tracked.push(await relayRate(gateway, 'pty-screen', workload));
    }
    const base = median(raw);
    const plain = median(untracked);
    const screen = median(tracked);
    console.log(`${workload.name}, median of ${RUNS}, every byte delivered:`);
    console.log(`  raw PTY (script -qfc … > /dev/null)     ${mbps(base)}`);
    report(
      `gateway, screen tracking off      ${mbps(plain)}  = ${(plain / base).toFixed(2)} × raw (target ≥ ${TARGET})`,
      plain / base >= TARGET,
    );
    console.log(
      `        gateway, screen tracking on       ${mbps(screen)}  = ${(screen / base).toFixed(2)} × raw; tracking costs ${((1 - screen / plain) * 100).toFixed(0)}% of the relay rate`,
    );
  }
} finally {
  await gateway.stop();
}
setExitStatus();
