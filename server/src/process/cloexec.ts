// Keeping what this process inherited out of every program it starts.
//
// A program started by the gateway inherits every descriptor not marked close-on-exec: libuv closes
// nothing, it relies on that mark. Node's own descriptors and the spawn addon's (terminals, pipes)
// carry it from the moment they exist; what the gateway inherited from its parent (a supervisor's
// pipe, a test runner's channel) does not. Node has no fcntl(2), so a small native addon
// (server/native/cloexec.c, built at install) sets FD_CLOEXEC.
import { readdirSync } from 'node:fs';
import { loadNative } from './native.js';

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
