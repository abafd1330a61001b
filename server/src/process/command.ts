import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProcessError } from './errors.js';
import { NOT_EXECUTABLE, NOT_FOUND, badWorkingDirectory, cannotStart, stat, type Command } from './spawn.js';

/**
 * Checks up front what execvp(3) would find: node-pty forks first and only reports a failed exec
 * or chdir as text on the terminal and exit code 1, which no caller can tell from a real exit 1.
 */
export function checkCommand(command: Command, cwd: string, path: string | undefined): ProcessError | null {
  const directory = stat(cwd);
  if (directory?.isDirectory() !== true) {
    return cannotStart(command, directory === undefined ? 'ENOENT' : 'ENOTDIR', badWorkingDirectory(cwd));
  }
  const candidates = command.file.includes('/')
    ? [command.file]
    : (path ?? '').split(delimiter).map((dir) => join(dir === '' ? '.' : dir, command.file));
  let found = false;
  for (const candidate of candidates) {
    const file = candidate.startsWith('/') ? candidate : join(cwd, candidate);
    if (stat(file)?.isFile() !== true) continue;
    found = true;
    if (isExecutable(file)) return null;
  }
  return found ? cannotStart(command, 'EACCES', NOT_EXECUTABLE) : cannotStart(command, 'ENOENT', NOT_FOUND);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
