// The keeper (server/native/keeper.c): a small program that starts the real one under itself, as
// its child subreaper, so that everything the program starts — even what leaves its process group
// or session — ends when it ends, when it is killed, and when this process dies (SIGKILL, OOM).
// See docs/process-core.md, "The keeper".
import { accessSync, constants as fs } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Command } from './command.js';
import { ProcessError } from './errors.js';
import { loadNative } from './native.js';
import { describeValue } from './validate.js';

interface RequestAddon {
  keeperRequest(pid: number, signal: number): boolean;
}

/** What a caller asks for: a keeper, and the cgroup directories it joins first. */
export interface KeeperSpec {
  /** Absolute paths of cgroup directories (v2, or v1 hierarchies) the keeper moves into first. */
  cgroups: readonly string[];
}

/** The keeper joins at most this many (one per hierarchy: v2, and v1 pids, say). */
const MAX_CGROUPS = 4;

/** The same relative path from src/process/ and dist/process/. */
const KEEPER_PATH = fileURLToPath(new URL('../../native/build/Release/shellgate-keeper', import.meta.url));

let addon: RequestAddon | Error | undefined;

function requestAddon(): RequestAddon | ProcessError {
  addon ??= loadNative<RequestAddon>('spawn', ['keeperRequest']);
  if (!(addon instanceof Error)) return addon;
  return new ProcessError('EKEEPER', `the keeper's addon cannot be loaded: ${addon.message}`, {
    cause: addon,
  });
}

/** Why the keeper cannot be used here, or null when it can (the program and its addon are built). */
export function keeperUnavailable(): ProcessError | null {
  const loaded = requestAddon();
  if (loaded instanceof ProcessError) return loaded;
  try {
    accessSync(KEEPER_PATH, fs.X_OK);
  } catch (error) {
    return new ProcessError(
      'EKEEPER',
      `the keeper program ${KEEPER_PATH} is missing or not executable (built by npm ci, in server/native)`,
      { cause: error },
    );
  }
  return null;
}

/** `keeper` and `cgroup` options as given to Process or PtyProcess: a spec, or null for none. */
export function validateKeeper(keeper: unknown, cgroup: unknown): KeeperSpec | null {
  if (keeper !== undefined && typeof keeper !== 'boolean') {
    throw new ProcessError('EINVAL', `keeper must be a boolean, received ${describeValue(keeper)}`);
  }
  const cgroups: unknown[] = cgroup === undefined ? [] : Array.isArray(cgroup) ? cgroup : [cgroup];
  for (const dir of cgroups) {
    if (typeof dir !== 'string' || !dir.startsWith('/')) {
      throw new ProcessError(
        'EINVAL',
        `cgroup must be an absolute directory path, received ${describeValue(dir)}`,
      );
    }
  }
  if (cgroups.length > MAX_CGROUPS) {
    throw new ProcessError(
      'EINVAL',
      `cgroup names at most ${MAX_CGROUPS} directories, received ${cgroups.length}`,
    );
  }
  if (keeper !== true) {
    if (cgroups.length > 0) throw new ProcessError('EINVAL', 'cgroup requires keeper: true');
    return null;
  }
  return { cgroups: cgroups.map(String) };
}

/** The command that runs `command` under the keeper, whose parent is this process. */
export function underKeeper(command: Command, spec: KeeperSpec): Command {
  const options = ['--ppid', String(process.pid)];
  for (const dir of spec.cgroups) options.push('--cgroup', dir);
  return { file: KEEPER_PATH, args: [...options, '--', command.file, ...command.args], name: command.name };
}

/**
 * Asks the keeper `pid` to send `signal` to its program's process group, or for SIGKILL to kill
 * everything it contains and then die of SIGKILL itself. (A plain SIGKILL to a group the keeper is
 * in would kill the keeper first, and what left the group would live on.)
 */
export function requestFromKeeper(pid: number, signal: NodeJS.Signals | number): void {
  const loaded = requestAddon();
  if (loaded instanceof ProcessError) throw loaded;
  // false: the keeper is gone already, which is what was asked for.
  loaded.keeperRequest(pid, typeof signal === 'number' ? signal : constants.signals[signal]);
}

export function isSigkill(signal: NodeJS.Signals | number): boolean {
  return signal === 'SIGKILL' || signal === constants.signals.SIGKILL;
}
