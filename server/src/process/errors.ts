// The core's two error classes. `code` is one of a closed set of stable strings callers may switch
// on (the compiler checks their comparisons); docs/process-core.md lists every code in one table.

/**
 * The OS's reasons for refusing to start a program (execve(2), fork(2), posix_spawn(3), the pipes
 * and pidfd around them), as libuv names them. Any other errno is reported as `ESPAWN`.
 */
export const SPAWN_ERRNO_CODES = [
  'ENOENT',
  'EACCES',
  'ENOTDIR',
  'EAGAIN',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'E2BIG',
  'ENOEXEC',
  'ETXTBSY',
  'ELOOP',
  'ENAMETOOLONG',
  'EISDIR',
  'ELIBBAD',
  'EIO',
  'EPERM',
  'EINVAL',
] as const;
export type SpawnErrnoCode = (typeof SPAWN_ERRNO_CODES)[number];

export type ProcessErrorCode =
  | SpawnErrnoCode
  | 'ESPAWN'
  | 'ECHILD'
  | 'ENOT_PIPE'
  | 'ESTDIN_CLOSED'
  | 'EINVAL'
  | 'EPERM'
  | 'EKEEPER'
  | 'ETIMEDOUT';

export class ProcessError extends Error {
  override readonly name: string = 'ProcessError';
  readonly code: ProcessErrorCode;
  /** The program, for errors about one: spawn failures always set it. */
  readonly command: string | undefined;

  constructor(code: ProcessErrorCode, message: string, options: { cause?: unknown; command?: string } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
    this.command = options.command;
  }
}

/** `withTimeout` ran out of time: the `Timeout` exception of the original asyncproc. */
export class TimeoutError extends ProcessError {
  override readonly name = 'TimeoutError';
  /** The deadline that expired (an enclosing call's, when that one was shorter). */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super('ETIMEDOUT', `timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The `code` of a Node system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** The code a failure to start reports: the OS's when it is one of ours, else `ESPAWN`. */
export function spawnErrnoCode(error: unknown): SpawnErrnoCode | 'ESPAWN' {
  const code = errnoCode(error);
  return SPAWN_ERRNO_CODES.find((known) => known === code) ?? 'ESPAWN';
}
