// Keeping a terminal's master side out of every other child of this process.
//
// node-pty 1.1.0 creates the master with forkpty(3) and never marks it close-on-exec. Every program
// started afterwards would inherit the masters of all live terminals: a pipe child through
// child_process (libuv closes nothing, it relies on close-on-exec) and a terminal child through the
// next forkpty. Such a program could read another session's terminal and type into it. Node has no
// fcntl(2), so a small native addon (server/native/cloexec.c, built at install) sets FD_CLOEXEC.
// Without it no terminal is started at all: leaking the master silently is not an option.
import { readdirSync } from 'node:fs';
import type { IPty } from 'node-pty';
import { errnoCode, ProcessError } from './errors.js';
import { loadNative } from './native.js';
import type { Command } from './command.js';

type SetCloseOnExec = (fd: number) => void;

let loaded: SetCloseOnExec | Error | undefined;

function loadAddon(): SetCloseOnExec | Error {
  if (loaded === undefined) {
    const addon = loadNative<{ setCloseOnExec: SetCloseOnExec }>('cloexec', ['setCloseOnExec']);
    loaded = addon instanceof Error ? addon : addon.setCloseOnExec;
  }
  return loaded;
}

/**
 * Checks, before forking, that masters can be marked close-on-exec: returns the error to fail the
 * spawn with when the native addon is missing (not built: run `npm ci` or `npm rebuild`).
 */
export function checkCloseOnExec(command: Command): ProcessError | null {
  const addon = loadAddon();
  if (typeof addon === 'function') return null;
  return new ProcessError(
    'ECLOEXEC',
    `cannot start ${JSON.stringify(command.name)} on a terminal: the native addon that keeps ` +
      `terminals out of other processes (server/native, built by npm install) failed to load`,
    { cause: addon, command: command.name },
  );
}

/** node-pty 1.1.0's UnixTerminal keeps the master's descriptor here; not in its typings. */
function masterFd(pty: IPty): number | undefined {
  return '_fd' in pty && typeof pty._fd === 'number' && Number.isInteger(pty._fd) && pty._fd > 2
    ? pty._fd
    : undefined;
}

/**
 * Marks the master of a terminal node-pty has just created close-on-exec. Must run before anything
 * else can start a process, i.e. synchronously after `spawn`. Returns the error to fail the spawn
 * with (after killing the program) when that cannot be done.
 */
export function closeMasterOnExec(pty: IPty, command: Command): ProcessError | null {
  const addon = loadAddon();
  const fd = masterFd(pty);
  const fail = (reason: string, cause?: unknown): ProcessError =>
    new ProcessError(
      'ECLOEXEC',
      `cannot keep the terminal of ${JSON.stringify(command.name)} out of other processes: ${reason}`,
      { cause, command: command.name },
    );
  if (typeof addon !== 'function') return fail('the native addon failed to load', addon);
  if (fd === undefined) return fail('this node-pty does not expose the master descriptor');
  try {
    addon(fd);
    return null;
  } catch (error) {
    return fail(`fcntl failed (${errnoCode(error) ?? 'unknown error'})`, error);
  }
}

/**
 * Marks every descriptor above stdio close-on-exec: what this process inherited from its parent
 * (a supervisor's pipe, a test runner's channel) must not reach the programs it starts. Node's own
 * descriptors already are. Returns how many were marked, or the reason it could not be done.
 */
export function closeInheritedOnExec(): number | Error {
  const addon = loadAddon();
  if (typeof addon !== 'function') return addon;
  let marked = 0;
  for (const name of readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2) continue;
    try {
      addon(fd);
      marked += 1;
    } catch {
      // Closed meanwhile, like the directory handle this listing used: nothing to mark.
    }
  }
  return marked;
}
