// Where this process's cgroup v2 directory is: the unified hierarchy's mount point (from
// /proc/self/mountinfo) joined with the path /proc/self/cgroup gives for hierarchy 0.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Mount {
  mountPoint: string;
  root: string;
}

/**
 * The first mount in `mountinfo` whose type and super options `matches` accepts. Lines read
 * "36 25 0:31 / /sys/fs/cgroup rw,… shared:9 - cgroup2 cgroup2 rw,…": type and options follow " - ".
 */
function findMount(mountinfo: string, matches: (type: string, options: string[]) => boolean): Mount | null {
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    const [type, , options] = after?.split(' ') ?? [];
    if (before === undefined || type === undefined || !matches(type, (options ?? '').split(','))) continue;
    const [, , , root, mountPoint] = before.split(' ');
    if (root !== undefined && mountPoint !== undefined) {
      return { root: unescapeMountField(root), mountPoint: unescapeMountField(mountPoint) };
    }
  }
  return null;
}

/** The mount point and root of the cgroup2 file system, or null when none is mounted. */
export function unifiedMount(mountinfo: string): Mount | null {
  return findMount(mountinfo, (type) => type === 'cgroup2');
}

/** The "0::/path" line of /proc/self/cgroup: this process's cgroup v2 path, or null. */
export function unifiedPath(procCgroup: string): string | null {
  const line = procCgroup.split('\n').find((entry) => entry.startsWith('0::'));
  return line === undefined ? null : line.slice(3);
}

/** The directory of this process's own cgroup v2, or null when it cannot be found. */
export function ownCgroupDir(): string | null {
  try {
    const mount = unifiedMount(readFileSync('/proc/self/mountinfo', 'utf8'));
    const path = unifiedPath(readFileSync('/proc/self/cgroup', 'utf8'));
    return mount === null || path === null ? null : within(mount, path);
  } catch {
    return null;
  }
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** A cgroup v1 hierarchy's mount holding `controller` (super options list it), or null. */
export function v1Mount(mountinfo: string, controller: string): Mount | null {
  return findMount(mountinfo, (type, options) => type === 'cgroup' && options.includes(controller));
}

/** This process's path in the v1 hierarchy of `controller` ("4:pids:/path"), or null. */
export function v1Path(procCgroup: string, controller: string): string | null {
  for (const line of procCgroup.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (controllers?.split(',').includes(controller) === true && path !== undefined) return path;
  }
  return null;
}

/** The directory of this process's cgroup in the v1 `controller` hierarchy, or null. */
export function ownV1Dir(controller: string): string | null {
  try {
    const mount = v1Mount(readFileSync('/proc/self/mountinfo', 'utf8'), controller);
    const path = v1Path(readFileSync('/proc/self/cgroup', 'utf8'), controller);
    return mount === null || path === null ? null : within(mount, path);
  } catch {
    return null;
  }
}

function within(mount: { mountPoint: string; root: string }, path: string): string | null {
  if (!path.startsWith('/')) return null;
  if (mount.root !== '/' && path !== mount.root && !path.startsWith(`${mount.root}/`)) return null;
  return join(mount.mountPoint, mount.root === '/' ? path : path.slice(mount.root.length));
}
