import { constants } from 'node:os';
import { ProcessError, errnoCode } from './errors.js';
import { loadNative } from './native.js';
import { describeValue } from './validate.js';

/** The process, or with `group` its whole process group (`-pid`), that a signal is aimed at. */
export interface SignalTarget {
  pid: number;
  group: boolean;
}

export function validateSignal(signal: unknown): NodeJS.Signals | number {
  if (typeof signal === 'number' && Number.isInteger(signal) && signal >= 0) return signal;
  if (typeof signal === 'string' && isSignalName(signal)) return signal;
  throw new ProcessError('EINVAL', `unknown signal ${describeValue(signal)}`);
}

export function isSignalName(name: string): name is NodeJS.Signals {
  return Object.hasOwn(constants.signals, name);
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>();
for (const name of Object.keys(constants.signals)) {
  if (isSignalName(name)) SIGNAL_NAMES.set(constants.signals[name], name);
}

/** The name of signal number `signal`, or null when this platform has none for it. */
export function signalName(signal: number): NodeJS.Signals | null {
  return SIGNAL_NAMES.get(signal) ?? null;
}

/**
 * Sends `signal`. The caller guarantees the pid has not been waited for yet (so it cannot have been
 * reused); ESRCH can then only mean the target vanished in between, which is what we wanted anyway.
 */
export function sendSignal(target: SignalTarget, signal: NodeJS.Signals | number): void {
  const id = target.group ? -target.pid : target.pid;
  if (sentNatively(id, signal)) return;
  try {
    process.kill(id, signal);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ESRCH') return;
    const who = target.group ? `process group ${target.pid}` : `process ${target.pid}`;
    throw new ProcessError(code === 'EPERM' ? 'EPERM' : 'EINVAL', `cannot signal ${who} with ${signal}`, {
      cause: error,
    });
  }
}

interface SignalAddon {
  /** kill(2): 0 or the errno. */
  signal(target: number, signal: number): number;
}

let addon: SignalAddon | Error | undefined;

/**
 * Sends `signal` through the addon: true when it was delivered or the target is gone (ESRCH),
 * false when the caller must use process.kill, which throws for what went wrong (and for ESRCH,
 * building an exception with its stack trace, which is what the addon saves: an exit sweep
 * signals a group that is almost always empty by then).
 */
function sentNatively(id: number, signal: NodeJS.Signals | number): boolean {
  addon ??= loadNative<SignalAddon>('spawn', ['signal']);
  if (addon instanceof Error) return false;
  const errno = addon.signal(id, typeof signal === 'number' ? signal : constants.signals[signal]);
  return errno === 0 || errno === constants.errno.ESRCH;
}
