// How many commands a second a client gets through, three ways, each `sh -c true` to its exit:
// the `shellgate exec` process (one exec upgrade; node's start-up included), and in-process `ws`
// clients on the exec upgrade and on the two-request path (POST /api/sessions, then attach).
// Shared by cli.bench.ts and by `node --import tsx test/bench/exec-rate.ts`, which runs the CLI
// alone against any gateway (SHELLGATE_URL, SHELLGATE_TOKEN) for a comparison on the peer harness:
//   node --import tsx test/bench/exec-rate.ts [--count N] [--parallel P]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ApiPath, SUBPROTOCOL, execUrl, streamUrl } from '@shellgate/shared';
import WebSocket from 'ws';

export const CLIENT_BUNDLE = fileURLToPath(new URL('../../client/dist/shellgate.mjs', import.meta.url));

export interface RateTarget {
  url: string;
  token: string;
}

/** Runs `count` jobs, `parallel` at a time; resolves with jobs per second. */
export async function rate(count: number, parallel: number, job: () => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      await job();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return count / ((performance.now() - start) / 1000);
}

/** `shellgate exec sh true` as a child process, which must exit 0. */
export function cliExecTrue(target: RateTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT_BUNDLE, 'exec', '-n', 'sh', 'true'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: '', SHELLGATE_URL: target.url, SHELLGATE_TOKEN: target.token },
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`shellgate exec exited ${code}`)),
    );
  });
}

/** Opens `url` and resolves at the `exit` message. */
function untilExit(url: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, SUBPROTOCOL, {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary && data.toString('utf8').includes('"type":"exit"')) {
        ws.close(1000);
        resolve();
      }
    });
    ws.once('error', reject);
    ws.once('close', () => reject(new Error('closed before exit')));
  });
}

export function execUpgradeTrue(target: RateTarget): Promise<void> {
  return untilExit(execUrl(target.url, { profile: 'sh', args: ['true'] }), target.token);
}

export async function twoRequestTrue(target: RateTarget): Promise<void> {
  const response = await fetch(`${target.url}${ApiPath.sessions}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ profile: 'sh', args: ['true'] }),
  });
  const text = await response.text();
  const id = /"id":"([^"]+)"/.exec(text)?.[1];
  if (response.status !== 201 || id === undefined) throw new Error(`create failed: ${text}`);
  await untilExit(streamUrl(target.url, id), target.token);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { count: { type: 'string' }, parallel: { type: 'string' } } });
  const url = process.env.SHELLGATE_URL ?? 'http://127.0.0.1:8022';
  const token = process.env.SHELLGATE_TOKEN ?? '';
  const count = Number(values.count ?? '50');
  const parallel = Number(values.parallel ?? '1');
  const perSecond = await rate(count, parallel, () => cliExecTrue({ url, token }));
  console.log(
    `shellgate exec true: ${perSecond.toFixed(1)} commands/s (${count} commands, ${parallel} at a time)`,
  );
}
