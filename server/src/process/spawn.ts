import { spawn, type SpawnOptions } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import {
  NOT_EXECUTABLE,
  NOT_FOUND,
  badWorkingDirectory,
  cannotStart,
  stat,
  type Command,
} from './command.js';
import { ProcessError, spawnErrnoCode } from './errors.js';
import { fastSpawn, fastSpawnAsync } from './fast-spawn.js';
import type { StdinSink } from './input.js';
import type { OutputSource } from './output.js';
import type { OutputStream } from './types.js';

/**
 * What the core uses of a started child, as both child_process and posix_spawn's FastChild give
 * it: events 'spawn', 'error' (before a pid exists) and 'exit' (code, signal name).
 */
export interface Child extends EventEmitter {
  readonly pid?: number | undefined;
  readonly stdin: StdinSink | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** FastChild, whose stdin stream is made at its first use: whether stdin is a pipe, without making it. */
  readonly stdinIsPipe?: boolean;
  /** FastChild: closes stdin's pipe when its stream was never made, and says whether it did. */
  closeUnusedStdin?(): boolean;
  /** FastChild: an output pipe read into a lent buffer instead of as `stdout`/`stderr` (lent-pipe.ts). */
  lentOutput?(name: OutputStream, readBytes: number): OutputSource | null;
}

export type SpawnOutcome =
  { child: Child; error?: undefined; running?: boolean } | { child?: undefined; error: ProcessError };

/**
 * Starts the child: with posix_spawn where it can (fast-spawn.ts), else child_process. Failures
 * come as a thrown error (posix_spawn: all of them; Node: ENOTDIR for a bad cwd) or as an 'error'
 * event (Node: ENOENT, EACCES); the thrown ones are returned here so that both reach the caller
 * the same way.
 */
export function startChild(command: Command, options: SpawnOptions): SpawnOutcome {
  try {
    return { child: fastSpawn(command, options) ?? spawn(command.file, command.args, options) };
  } catch (error) {
    return failedOutcome(error, command, options);
  }
}

/**
 * startChild without stopping the event loop while the child starts, where posix_spawn can start
 * it: the outcome comes once the child runs (`running`: no 'spawn' event follows).
 */
export async function startChildAsync(command: Command, options: SpawnOptions): Promise<SpawnOutcome> {
  try {
    const child = await fastSpawnAsync(command, options);
    if (child !== null) return { child, running: true };
  } catch (error) {
    return failedOutcome(error, command, options);
  }
  return startChild(command, options);
}

function failedOutcome(error: unknown, command: Command, options: SpawnOptions): SpawnOutcome {
  return { error: startFailure(error, command, options.cwd) };
}

/**
 * What a spawn's throw means for the caller: a system error (the program missing, a bad cwd, no
 * descriptors left) becomes the spawn failure to report; anything else (bad option types and the
 * like) is the caller's bug and is thrown at once.
 */
export function startFailure(error: unknown, command: Command, cwd: string | URL | undefined): ProcessError {
  if (isSystemSpawnError(error)) return spawnError(error, command, cwd);
  throw new ProcessError('EINVAL', `invalid spawn options for ${JSON.stringify(command.name)}`, {
    cause: error,
    command: command.name,
  });
}

function isSystemSpawnError(error: unknown): boolean {
  return (
    error instanceof Error &&
    'syscall' in error &&
    typeof error.syscall === 'string' &&
    error.syscall.startsWith('spawn')
  );
}

/** A spawn failure that names the command and, when it is to blame, the working directory. */
export function spawnError(error: unknown, command: Command, cwd: string | URL | undefined): ProcessError {
  const code = spawnErrnoCode(error);
  let reason: string;
  if (cwd !== undefined && stat(cwd)?.isDirectory() !== true) {
    reason = badWorkingDirectory(cwd);
  } else if (code === 'ENOENT') {
    reason = NOT_FOUND;
  } else if (code === 'EACCES') {
    reason = NOT_EXECUTABLE;
  } else {
    reason = error instanceof Error ? error.message : String(error);
  }
  return cannotStart(command, code, reason, { cause: error });
}
