import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { statSync, type Stats } from 'node:fs';
import { ProcessError, errnoCode } from './errors.js';
import { describeValue } from './validate.js';

export interface Command {
  file: string;
  args: string[];
  /** How errors name the program. */
  name: string;
}

/**
 * A string is one program name, run without arguments — or, with `shell: true`, a shell command
 * line — as with Python's Popen; an array is the program followed by its arguments.
 */
export function parseArgv(argv: unknown): Command {
  if (typeof argv === 'string' && argv !== '') return { file: argv, args: [], name: argv };
  if (Array.isArray(argv) && argv.every((arg) => typeof arg === 'string')) {
    const [file, ...args] = argv;
    if (file !== undefined && file !== '') return { file, args, name: file };
  }
  throw new ProcessError(
    'EINVAL',
    `argv must be a non-empty array of strings or a non-empty string, received ${describeValue(argv)}`,
  );
}

export type SpawnOutcome =
  { child: ChildProcess; error?: undefined } | { child?: undefined; error: ProcessError };

/**
 * Starts the child. Node reports some spawn failures by throwing (ENOTDIR for a bad cwd) and
 * others by an 'error' event (ENOENT, EACCES); the former are returned here so that both reach
 * the caller the same way.
 */
export function startChild(command: Command, options: SpawnOptions): SpawnOutcome {
  try {
    return { child: spawn(command.file, command.args, options) };
  } catch (error) {
    if (isSystemSpawnError(error)) return { error: spawnError(error, command, options.cwd) };
    // Bad option types and the like: the caller's bug, reported at once.
    throw new ProcessError('EINVAL', `invalid spawn options for ${JSON.stringify(command.name)}`, {
      cause: error,
      command: command.name,
    });
  }
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
  const code = errnoCode(error) ?? 'ESPAWN';
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

// The reasons both ways of starting (here, and command.ts before a terminal forks) give.
export const NOT_FOUND = 'command not found';
export const NOT_EXECUTABLE = 'permission denied (not an executable file?)';

export function badWorkingDirectory(cwd: string | URL): string {
  return `working directory ${JSON.stringify(String(cwd))} does not exist or is not a directory`;
}

export function cannotStart(
  command: Command,
  code: string,
  reason: string,
  options: { cause?: unknown } = {},
): ProcessError {
  return new ProcessError(code, `cannot start ${JSON.stringify(command.name)}: ${reason} (${code})`, {
    ...options,
    command: command.name,
  });
}

/** `undefined` when `path` cannot be looked at, for whatever reason. */
export function stat(path: string | URL): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
