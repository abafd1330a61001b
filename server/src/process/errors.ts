// The core's two error classes. `code` is a stable string callers may switch on; docs/process-core.md
// lists every code in one table.

export class ProcessError extends Error {
  override readonly name: string = 'ProcessError';
  /** ECHILD, ENOT_PIPE, ESTDIN_CLOSED, ESPAWN, EINVAL, EPERM, ETIMEDOUT, ECLOEXEC, or the OS's code of a spawn failure. */
  readonly code: string;
  /** The program, for errors about one: spawn failures always set it. */
  readonly command: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; command?: string } = {}) {
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
