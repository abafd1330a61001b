// The async process core: a port of Python's asyncproc (Thomas Bellman) and its
// nonblockingProcess wrapper. docs/process-core.md documents the API, termination and error codes.
// The only way in from outside this folder (eslint.config.js enforces it): everything not named
// here is the core's own business.
export { Process } from './process.js';
export { MAX_READ_BYTES } from './lent-pipe.js';
export { NonblockingProcess, type NonblockingOptions } from './nonblocking.js';
export { PtyProcess, type PtyOptions } from './pty.js';
export { ProcessError, TimeoutError, type ProcessErrorCode } from './errors.js';
export { withTimeout } from './timeout.js';
export { closeInheritedOnExec } from './cloexec.js';
export { keeperUnavailable } from './keeper.js';
export { readProcStat, runningProcesses, type ProcStat } from './proc.js';
export type {
  Disposable,
  ExitStatus,
  OutputChunk,
  ProcessOptions,
  TerminateOptions,
  TerminateResult,
  TerminateStage,
} from './types.js';
