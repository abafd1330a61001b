// The async process core: a port of Python's asyncproc (Thomas Bellman) and its
// nonblockingProcess wrapper. docs/process-core.md documents the API, termination and error codes.
export { Process } from './process.js';
export { NonblockingProcess, type NonblockingOptions } from './nonblocking.js';
export { PtyProcess, type PtyOptions } from './pty.js';
export { ProcessError, TimeoutError } from './errors.js';
export { withTimeout } from './timeout.js';
export type {
  Disposable,
  ExitStatus,
  OutputChunk,
  ProcessOptions,
  TerminateOptions,
  TerminateResult,
  TerminateStage,
} from './types.js';
