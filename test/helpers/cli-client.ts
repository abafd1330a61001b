// Runs the operator client (`shellgate exec|attach|…`) as a real child process — the compiled
// gateway CLI (`node server/dist/cli.js`), or any other entry such as the standalone bundle — and
// collects its exit status and exact output bytes. Every child is killed if a test leaves it.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const GATEWAY_CLI = fileURLToPath(new URL('../../server/dist/cli.js', import.meta.url));
export const CLIENT_BUNDLE = fileURLToPath(new URL('../../client/dist/shellgate.mjs', import.meta.url));
/** Generous: CI runs two busy loops beside the suite. */
const RUN_TIMEOUT_MS = 60_000;

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

export interface CliRun {
  child: ChildProcessWithoutNullStreams;
  /** Output so far. */
  stdout(): Buffer;
  stderr(): Buffer;
  /** Resolves once `text` appeared on stdout (or stderr with `stream`), within a bound. */
  waitFor(text: string, stream?: 'stdout' | 'stderr'): Promise<void>;
  done: Promise<CliResult>;
}

export interface CliOptions {
  url: string;
  token?: string;
  /** Written to stdin, then stdin is closed; omitted: stdin stays open until the test ends it. */
  input?: Buffer | string;
  entry?: string;
  env?: Record<string, string>;
}

const running = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startCli(args: string[], options: CliOptions): CliRun {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_OPTIONS: '',
    SHELLGATE_URL: options.url,
    SHELLGATE_TOKEN: options.token,
    ...options.env,
  };
  if (options.token === undefined) delete env.SHELLGATE_TOKEN;
  const child = spawn(process.execPath, [options.entry ?? GATEWAY_CLI, ...args], { env });
  running.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err.push(chunk);
    wake();
  });
  child.stdin.on('error', () => undefined); // the client may exit before reading all of it
  if (options.input !== undefined) child.stdin.end(options.input);
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
    });
  });
  const stdout = (): Buffer => Buffer.concat(out);
  const stderr = (): Buffer => Buffer.concat(err);
  return {
    child,
    stdout,
    stderr,
    done,
    waitFor(text, stream = 'stdout') {
      const seen = (): boolean => (stream === 'stdout' ? stdout() : stderr()).includes(text);
      return new Promise((resolve, reject) => {
        if (seen()) return resolve();
        const bound = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${JSON.stringify(text)} did not appear on ${stream}: ${stderr().toString()}`));
        }, RUN_TIMEOUT_MS);
        const check = (): void => {
          if (!seen()) return;
          clearTimeout(bound);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        void done.then(() => {
          check();
          if (!waiters.has(check)) return;
          clearTimeout(bound);
          waiters.delete(check);
          reject(
            new Error(`the client exited before ${JSON.stringify(text)} appeared: ${stderr().toString()}`),
          );
        });
      });
    },
  };
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).done;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
