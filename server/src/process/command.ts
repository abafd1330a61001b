// What to run and how a failure to start it is worded, for both ways of starting (spawn.ts for pipe
// children, pty.ts for terminals). Kept apart from spawn.ts so fast-spawn.ts can name a Command
// without importing the module that imports it.
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ProcessError, type SpawnErrnoCode } from './errors.js';
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
    const file = argv[0];
    // slice, not a rest element: V8 sizes its copy exactly, and a rest array keeps room for 17
    // entries (~150 bytes) for the process's life.
    if (file !== undefined && file !== '') return { file, args: argv.slice(1), name: file };
  }
  throw new ProcessError(
    'EINVAL',
    `argv must be a non-empty array of strings or a non-empty string, received ${describeValue(argv)}`,
  );
}

export const NOT_FOUND = 'command not found';
export const NOT_EXECUTABLE = 'permission denied (not an executable file?)';

export function badWorkingDirectory(cwd: string | URL): string {
  return `working directory ${JSON.stringify(String(cwd))} does not exist or is not a directory`;
}

export function cannotStart(
  command: Command,
  code: SpawnErrnoCode | 'ESPAWN',
  reason: string,
  options: { cause?: unknown } = {},
): ProcessError {
  return new ProcessError(code, `cannot start ${JSON.stringify(command.name)}: ${reason} (${code})`, {
    ...options,
    command: command.name,
  });
}

/**
 * `undefined` when `path` cannot be looked at, for whatever reason. A missing file is the common
 * case (each PATH directory before the program's): it is answered without an exception, whose
 * stack capture cost ~50 µs a directory on every start.
 */
export function stat(path: string | URL): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** Lookups remembered: a gateway starts the same few programs with the same PATH again and again. */
const MAX_REMEMBERED = 64;
/** Where a program was last found executable, by cwd, PATH and name. */
const remembered = new Map<string, string>();

/**
 * Checks up front what execvp(3) would find: the keeper execs the program after forking, and can
 * only report a failed exec as exit status 127, which no caller can tell from a real exit 127.
 * Only whether there is one matters, not which (execvp looks again): the file where the program
 * was last found is looked at first, and if it still is an executable file, that answers it. A
 * walk down PATH costs a path join and a stat per directory before the program's.
 */
export function checkCommand(command: Command, cwd: string, path: string | undefined): ProcessError | null {
  const directory = stat(cwd);
  if (directory?.isDirectory() !== true) {
    return cannotStart(command, directory === undefined ? 'ENOENT' : 'ENOTDIR', badWorkingDirectory(cwd));
  }
  const key = `${cwd}\0${path ?? ''}\0${command.file}`;
  const last = remembered.get(key);
  if (last !== undefined) {
    if (stat(last)?.isFile() === true && isExecutable(last)) return null;
    remembered.delete(key);
  }
  let found = false;
  for (const candidate of candidates(command.file, path)) {
    const file = candidate.startsWith('/') ? candidate : join(cwd, candidate);
    if (stat(file)?.isFile() !== true) continue;
    found = true;
    if (isExecutable(file)) {
      remember(key, file);
      return null;
    }
  }
  return found ? cannotStart(command, 'EACCES', NOT_EXECUTABLE) : cannotStart(command, 'ENOENT', NOT_FOUND);
}

function remember(key: string, file: string): void {
  if (remembered.size >= MAX_REMEMBERED) {
    const [oldest] = remembered.keys();
    if (oldest !== undefined) remembered.delete(oldest);
  }
  remembered.set(key, file);
}

/**
 * Where execvp(3) looks for `file`, in its order: `file` itself when it names a path, else each entry
 * of PATH. One at a time: every session start checks its command, and the first hit ends the search.
 */
function* candidates(file: string, path: string | undefined): Generator<string> {
  if (file.includes('/')) {
    yield file;
    return;
  }
  for (const dir of (path ?? '').split(delimiter)) yield join(dir === '' ? '.' : dir, file);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
