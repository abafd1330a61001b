// Starts a real gateway (`node server/dist/cli.js`) on 127.0.0.1 port 0 with a temporary config,
// for integration and end-to-end tests. Build first (`npm test` does): this runs the compiled CLI,
// exactly what `npm start` runs.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { get } from './http.ts';

const CLI = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));
const READY = /^shellgate listening on (https?):\/\/([^\s:]+|\[[^\]]+\]):(\d+)$/m;
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

export interface Gateway {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The Origin a browser on the gateway's own page would send. */
  origin: string;
  port: number;
  /** The gateway process's pid (for memory and leak checks). */
  pid: number;
  operatorToken: string;
  viewerToken: string;
  /** Lines the gateway printed so far (stderr carries the JSON-lines log). */
  stdout: string[];
  stderr: string[];
  /** SIGTERM, then wait for exit (SIGKILL after a bound). Idempotent. */
  stop(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Merged over the test default (one level deep for `limits`, `profiles` and `env`). */
  config?: Record<string, unknown>;
  /** Extra command-line arguments, after `--config <file> --port 0`. */
  args?: string[];
  /** Node's flags for the gateway process; by default those of `npm start`. */
  nodeFlags?: string[];
  /** Variables added to the gateway's environment (over this process's own). */
  env?: Record<string, string>;
}

/** The Node flags of `npm start`, read from package.json so that tests run what ships. */
export const START_NODE_FLAGS: readonly string[] = (() => {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const start = get(manifest, 'scripts', 'start');
  if (typeof start !== 'string') throw new Error('package.json has no start script');
  return start.split(/\s+/).filter((word) => word.startsWith('--'));
})();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The configuration every test starts from: two tokens, three profiles, short timers, no warm-up. */
export function defaultTestConfig(operatorToken: string, viewerToken: string): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    tokens: [
      { name: 'operator', token: operatorToken, role: 'operator' },
      { name: 'viewer', token: viewerToken, role: 'viewer' },
    ],
    profiles: {
      bc: { argv: ['bc', '-q'], mode: 'pipe', allowArgs: false, description: 'calculator' },
      cat: { argv: ['cat'], mode: 'pipe', allowArgs: false },
      sh: { argv: ['sh', '-c'], mode: 'pipe', allowArgs: true },
      // A predictable interactive shell on a terminal: no rc files, a plain prompt.
      shell: {
        argv: ['bash', '--noprofile', '--norc', '-i'],
        mode: 'pty',
        allowArgs: false,
        env: { TERM: 'xterm-256color', PS1: '$ ' },
      },
      // A PTY profile for scripted programs: `sh -c <script>` on a terminal.
      'pty-sh': { argv: ['sh', '-c'], mode: 'pty', allowArgs: true, env: { TERM: 'xterm-256color' } },
    },
    limits: {
      terminateGracePeriodMs: 300,
      heartbeatIntervalMs: 2_000,
      idleTimeoutMs: 60_000,
      exitedSessionTtlMs: 30_000,
    },
    log: { level: 'info' },
  };
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isRecord(current) && isRecord(value) ? { ...current, ...value } : value;
  }
  return out;
}

export async function startGateway(options: StartGatewayOptions = {}): Promise<Gateway> {
  const operatorToken = randomBytes(24).toString('base64url');
  const viewerToken = randomBytes(24).toString('base64url');
  const config = merge(defaultTestConfig(operatorToken, viewerToken), options.config ?? {});
  const dir = await mkdtemp(join(tmpdir(), 'shellgate-test-'));
  const configFile = join(dir, 'config.json');
  await writeFile(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });

  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? START_NODE_FLAGS),
      CLI,
      '--config',
      configFile,
      '--port',
      '0',
      '--exit-on-stdin-close',
      ...(options.args ?? []),
    ],
    // The gateway reads our pipe to its stdin: if this test process dies without stop(), the pipe
    // closes and the gateway shuts down (terminating its sessions) instead of lingering.
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env, NODE_OPTIONS: '' } },
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const ready = new Promise<{ scheme: string; host: string; port: number }>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(
      () => reject(new Error(`gateway did not start in ${START_TIMEOUT_MS} ms:\n${stderr.join('\n')}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      stdout.push(...lines);
      for (const line of lines) {
        const match = READY.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve({ scheme: match[1] ?? 'http', host: match[2] ?? '127.0.0.1', port: Number(match[3]) });
        }
      }
    });
    let pendingErr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      pendingErr += text;
      const lines = pendingErr.split('\n');
      pendingErr = lines.pop() ?? '';
      stderr.push(...lines);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited before it was ready (${code ?? signal}):\n${stderr.join('\n')}`));
    });
  });

  try {
    const { scheme, host, port } = await ready;
    const url = `${scheme}://${host}:${port}`;
    return { url, origin: url, port, pid: child.pid ?? 0, operatorToken, viewerToken, stdout, stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The URL a gateway a test ran itself (the CLI, with its own flags) says it listens on. Rejects if it
 * exits first, with `diagnostics()` in the error: by default what it printed on stdout.
 */
export function listeningUrl(
  child: ChildProcess & { stdout: Readable },
  diagnostics?: () => string,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      const match = /shellgate listening on (\S+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`gateway exited early:\n${diagnostics?.() ?? stdout}`)));
  });
}
