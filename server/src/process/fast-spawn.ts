// Starting a pipe child without fork(2).
//
// child_process.spawn forks: the kernel copies the parent's page tables and write-protects all of
// its memory before the child can exec. Here that costs about 35 µs per MiB resident — 3 ms for a
// gateway holding 1,000 sessions — with the event loop, and every other session's relay, stopped.
// posix_spawn(3) (server/native/spawn.c) lets the child borrow the parent's memory until exec:
// its cost does not grow with the parent. The exit is watched through a pidfd and reaped for this
// child only, so the rest of Node's child handling is untouched. posix_spawn returns once the child
// has exec'd, which on a busy machine can take milliseconds: fastSpawnAsync (what Process.spawn
// uses) waits for it on a libuv worker thread instead of the event loop.
//
// Only what posix_spawn can do exactly as child_process would takes this path: argv, cwd, env,
// detached (a new session), and stdio of pipes, 'ignore' and 'inherit'. Anything else (uid/gid,
// shell, an abort signal, extra descriptors …), a missing addon or a kernel without pidfds
// (before Linux 5.3) goes through child_process.spawn, which behaves the same for the caller.
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { SpawnOptions } from 'node:child_process';
import { LentPipe, closeSpawnedFd } from './lent-pipe.js';
import type { PipeReaderAddon } from './lent-pipe.js';
import { PipeWriter } from './pipe-writer.js';
import type { PipeWriterAddon } from './pipe-writer.js';
import { loadNative } from './native.js';
import type { OutputSource } from './output.js';
import { signalName } from './signal.js';
import type { Command } from './command.js';
import type { OutputStream } from './types.js';

const STDIO_CODES = { pipe: 0, ignore: 1, inherit: 2 } as const;
type StdioKind = keyof typeof STDIO_CODES;

interface SpawnAddon extends PipeReaderAddon, PipeWriterAddon {
  spawn(
    file: string,
    args: string[],
    env: string[],
    cwd: string | null,
    newSession: boolean,
    stdio: number[],
  ): [pid: number, pidfd: number, stdin: number, stdout: number, stderr: number];
  spawnAsync(
    ...args: [
      ...Parameters<SpawnAddon['spawn']>,
      callback: (error: Error | null, started: ReturnType<SpawnAddon['spawn']> | null) => void,
    ]
  ): void;
  watchExit(pidfd: number, pid: number, onExit: (code: number | null, signal: number | null) => void): void;
}

/** The addon, or null once it failed to load or the kernel turned out to lack pidfds. */
let addon: SpawnAddon | null | undefined;

function loadAddon(): SpawnAddon | null {
  if (addon === undefined) {
    // Not built (npm ci builds it): child_process it is.
    const loaded = loadNative<SpawnAddon>('spawn', [
      'spawn',
      'spawnAsync',
      'watchExit',
      'releaseFd',
      'readPipe',
      'pausePipe',
      'resumePipe',
      'closePipe',
      'openWriter',
      'writePipe',
      'waitWritable',
      'closeWriter',
    ]);
    addon = loaded instanceof Error ? null : loaded;
  }
  return addon;
}

/** Options posix_spawn reproduces exactly; others, when set, send the spawn to child_process. */
const HANDLED_OPTIONS = new Set([
  'cwd',
  'env',
  'detached',
  'stdio',
  'windowsHide',
  'windowsVerbatimArguments',
]);

function stdioKinds(stdio: SpawnOptions['stdio']): StdioKind[] | null {
  if (stdio === undefined) return ['pipe', 'pipe', 'pipe'];
  if (typeof stdio === 'string') return stdio in STDIO_CODES ? Array(3).fill(stdio) : null;
  if (!Array.isArray(stdio) || stdio.length > 3) return null;
  const kinds: StdioKind[] = [];
  for (let fd = 0; fd < 3; fd += 1) {
    // Node's defaults for a short or sparse array: 'pipe' for missing entries.
    const entry: unknown = stdio[fd] ?? 'pipe';
    if (entry !== 'pipe' && entry !== 'ignore' && entry !== 'inherit') return null;
    kinds.push(entry);
  }
  return kinds;
}

function environment(env: NodeJS.ProcessEnv | undefined): string[] {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(env ?? process.env)) {
    if (value !== undefined) pairs.push(`${name}=${value}`);
  }
  return pairs;
}

/** The part of a ChildProcess that the core uses, as posix_spawn's child offers it. */
export class FastChild extends EventEmitter {
  readonly pid: number;
  /** stdin's pipe until its writer is made, at its first use (`stdin`); null once made, or closed. */
  #stdinFd: number | null;
  #stdin: PipeWriter | null = null;
  /** Whether stdin is a pipe, known without making its writer. */
  readonly stdinIsPipe: boolean;
  /** The output pipes until their reader is made: a Socket (`stdout`), or a lent source. */
  #stdoutFd: number | null;
  #stderrFd: number | null;
  #stdout: Readable | null = null;
  #stderr: Readable | null = null;
  /** The addon that made the pipes, which reads lent ones and writes stdin. */
  readonly #addon: SpawnAddon;

  /**
   * `announce`: emit 'spawn' on the next tick, as child_process does. A child started on a worker
   * thread is only constructed once it runs; its caller is told by the promise instead.
   */
  constructor(pid: number, fds: [number, number, number], addon: SpawnAddon, announce = true) {
    super();
    this.#addon = addon;
    this.pid = pid;
    const [stdin, stdout, stderr] = fds;
    this.#stdinFd = stdin < 0 ? null : stdin;
    this.stdinIsPipe = stdin >= 0;
    this.#stdoutFd = stdout < 0 ? null : stdout;
    this.#stderrFd = stderr < 0 ? null : stderr;
    // As child_process does: 'spawn' after the caller could subscribe.
    if (announce) process.nextTick(() => this.emit('spawn'));
  }

  get stdout(): Readable | null {
    if (this.#stdoutFd !== null) this.#stdout = this.#readable(this.#stdoutFd);
    this.#stdoutFd = null;
    return this.#stdout;
  }

  get stderr(): Readable | null {
    if (this.#stderrFd !== null) this.#stderr = this.#readable(this.#stderrFd);
    this.#stderrFd = null;
    return this.#stderr;
  }

  /**
   * The output pipe `name` read into a buffer lent to each callback (lent-pipe.ts) instead of as
   * `stdout`/`stderr`; null when it is not a pipe or its stream was made.
   */
  lentOutput(name: OutputStream, readBytes: number): OutputSource | null {
    const fd = name === 'stdout' ? this.#stdoutFd : this.#stderrFd;
    if (name === 'stdout') this.#stdoutFd = null;
    else this.#stderrFd = null;
    return fd === null ? null : new LentPipe(fd, readBytes, this.#addon);
  }

  /** Closes the output pipes whose reader was never made, and destroys the streams that were. */
  closeUnreadOutput(): void {
    for (const fd of [this.#stdoutFd, this.#stderrFd]) if (fd !== null) closeSpawnedFd(this.#addon, fd);
    this.#stdoutFd = null;
    this.#stderrFd = null;
    this.#stdout?.destroy();
    this.#stderr?.destroy();
  }

  /** stdin's writer, made now if it was not yet; null when there is none or it was closed unused. */
  get stdin(): PipeWriter | null {
    if (this.#stdinFd !== null) {
      this.#stdin = new PipeWriter(this.#stdinFd, this.#addon);
      this.#stdinFd = null;
    }
    return this.#stdin;
  }

  /** Closes stdin's pipe if its stream was never made (the child reads end-of-file); else false. */
  closeUnusedStdin(): boolean {
    if (this.#stdinFd === null) return false;
    closeSpawnedFd(this.#addon, this.#stdinFd);
    this.#stdinFd = null;
    return true;
  }

  /** A spawn's pipe end as a Node stream, which closes it from then on (a teardown too). */
  #readable(fd: number): Socket {
    this.#addon.releaseFd(fd);
    return new Socket({ fd, readable: true, writable: false });
  }

  /** @internal The child was reaped: as child_process does, stdin goes with it. */
  exited(code: number | null, signal: number | null): void {
    this.closeUnusedStdin();
    this.#stdin?.destroy();
    this.emit('exit', code, signal === null ? null : signalName(signal));
  }
}

type SpawnArgs = Parameters<SpawnAddon['spawn']>;

/** The addon's arguments for `command`, or null when `options` need child_process. */
function spawnArgs(command: Command, options: SpawnOptions): SpawnArgs | null {
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && !HANDLED_OPTIONS.has(name)) return null;
  }
  // Values of the wrong kind: child_process rejects them with its own validation errors.
  const { cwd: dir, env, detached, windowsHide } = options;
  if (
    (dir !== undefined && typeof dir !== 'string' && !(dir instanceof URL)) ||
    (env !== undefined && (typeof env !== 'object' || env === null)) ||
    (detached !== undefined && typeof detached !== 'boolean') ||
    (windowsHide !== undefined && typeof windowsHide !== 'boolean')
  ) {
    return null;
  }
  const kinds = stdioKinds(options.stdio);
  if (kinds === null) return null;
  const cwd =
    options.cwd === undefined
      ? null
      : typeof options.cwd === 'string'
        ? options.cwd
        : fileURLToPath(options.cwd);
  return [
    command.file,
    [command.file, ...command.args],
    environment(options.env),
    cwd,
    options.detached === true,
    kinds.map((kind) => STDIO_CODES[kind]),
  ];
}

/** A kernel before 5.3 has no pidfds: from then on, child_process. */
function lacksPidfds(error: unknown, command: Command): boolean {
  if (error instanceof Error && 'syscall' in error && error.syscall === `pidfd_open ${command.file}`) {
    addon = null;
    return true;
  }
  return false;
}

/** Wraps what the addon started and watches its exit. */
function adopt(
  native: SpawnAddon,
  command: Command,
  started: ReturnType<SpawnAddon['spawn']>,
  announce: boolean,
): FastChild {
  const [pid, pidfd, stdin, stdout, stderr] = started;
  const child = new FastChild(pid, [stdin, stdout, stderr], native, announce);
  try {
    // On failure the addon has killed and reaped the child: it ran unwatched for no time.
    native.watchExit(pidfd, pid, (code, signal) => child.exited(code, signal));
  } catch (error) {
    child.closeUnusedStdin();
    child.closeUnreadOutput();
    throw Object.assign(new Error(`spawn ${command.file}: cannot watch its exit`, { cause: error }), {
      code: 'EIO',
      syscall: `spawn ${command.file}`,
    });
  }
  return child;
}

/**
 * Starts `command` with posix_spawn when `options` allow it; `null` means "use child_process".
 * Throws what child_process.spawn would throw synchronously for a system error (with `syscall`
 * `spawn <file>` and an errno `code`), so the caller reports both paths the same way.
 */
export function fastSpawn(command: Command, options: SpawnOptions): FastChild | null {
  const native = loadAddon();
  const args = native === null ? null : spawnArgs(command, options);
  if (native === null || args === null) return null;
  let started: ReturnType<SpawnAddon['spawn']>;
  try {
    started = native.spawn(...args);
  } catch (error) {
    if (lacksPidfds(error, command)) return null;
    throw error;
  }
  return adopt(native, command, started, true);
}

/**
 * fastSpawn with the spawn itself on a worker thread, so that the event loop goes on while the
 * child starts: the child resolves once it runs (no 'spawn' event follows), system errors reject
 * as fastSpawn throws them. `null`: use child_process (or fastSpawn) instead.
 */
export function fastSpawnAsync(command: Command, options: SpawnOptions): Promise<FastChild | null> | null {
  const native = loadAddon();
  const args = native === null ? null : spawnArgs(command, options);
  if (native === null || args === null) return null;
  return new Promise((resolve, reject) => {
    native.spawnAsync(...args, (error, started) => {
      if (error !== null || started === null) {
        if (lacksPidfds(error, command)) resolve(null);
        else reject(error ?? new Error(`spawn ${command.file}: no result`));
        return;
      }
      try {
        resolve(adopt(native, command, started, false));
      } catch (adoptError) {
        reject(adoptError instanceof Error ? adoptError : new Error(String(adoptError)));
      }
    });
  });
}
