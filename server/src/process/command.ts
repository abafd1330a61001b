import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ProcessError } from './errors.js';
import type { Command } from './spawn.js';

/**
 * Checks up front what execvp(3) would find: node-pty forks first and only reports a failed exec
 * or chdir as text on the terminal and exit code 1, which no caller can tell from a real exit 1.
 */
export function checkCommand(command: Command, cwd: string, path: string | undefined): ProcessError | null {
  if (!isDirectory(cwd)) {
    const code = exists(cwd) ? 'ENOTDIR' : 'ENOENT';
    return failure(
      command,
      code,
      `working directory ${JSON.stringify(cwd)} does not exist or is not a directory`,
    );
  }
  const candidates = command.file.includes('/')
    ? [command.file]
    : (path ?? '').split(delimiter).map((dir) => join(dir === '' ? '.' : dir, command.file));
  let found = false;
  for (const candidate of candidates) {
    const file = candidate.startsWith('/') ? candidate : join(cwd, candidate);
    if (!isFile(file)) continue;
    found = true;
    if (isExecutable(file)) return null;
  }
  return found
    ? failure(command, 'EACCES', 'permission denied (not an executable file?)')
    : failure(command, 'ENOENT', 'command not found');
}

function failure(command: Command, code: string, reason: string): ProcessError {
  return new ProcessError(code, `cannot start ${JSON.stringify(command.name)}: ${reason} (${code})`, {
    command: command.name,
  });
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
