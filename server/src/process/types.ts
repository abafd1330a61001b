import type { SpawnOptions } from 'node:child_process';
// Defined once, by the wire (shared/ compiles without Node types, so it cannot import ours); type-only, so no runtime tie.
import type { ExitStatus, TerminateStage } from '@shellgate/shared';

export type { ExitStatus, TerminateStage };

export interface ProcessOptions extends SpawnOptions {
  /**
   * Bytes of unread collected output per stream above which the core stops reading that pipe
   * until the caller reads (the child blocks; nothing is dropped). Default: unbounded.
   */
  highWaterMark?: number;
  /** Retain output for `read*()` (default). `false`: output goes only to subscribers. */
  collect?: boolean;
  /**
   * `onOutput` listeners may be lent their chunks: `data` is then valid only until the listener
   * returns, and a listener copies what it keeps. The core reads the pipes into one buffer it reuses
   * instead of a new one per read (where posix_spawn starts the child; docs/process-core.md).
   * Collected output and `output()` iterators get copies. Default `false`.
   */
  lendOutput?: boolean;
  /**
   * With `lendOutput`: the largest chunk one read of a pipe delivers, from 1 KiB to 256 KiB. Larger
   * reads make fewer chunks of a fast writer's output. Default 64 KiB, Node's own read size.
   */
  readBytes?: number;
  /**
   * With `detached: true`: when the child exits by itself, kill (SIGKILL) whatever is left in its
   * process group at once. Default `false`. (`terminate()` does this anyway.)
   */
  killGroupOnExit?: boolean;
  /**
   * Run the program under the keeper (docs/process-core.md, "The keeper"), with `detached: true`:
   * whatever it starts ends when it exits or is killed, or when this process dies, even if it left
   * the process group. `pid` is then the keeper's. Default `false`.
   */
  keeper?: boolean;
  /** With `keeper`: cgroup directories (one per hierarchy) the keeper joins before the program starts. */
  cgroup?: string | readonly string[];
}

export interface TerminateOptions {
  /** Time each step gets before the next one is taken. Default 1000 ms. */
  gracePeriodMs?: number;
  /** Called as each step is taken, before its effect. */
  onStage?: (stage: TerminateStage) => void;
}

/** `stage` is `null` when the process had already exited. */
export type TerminateResult = ExitStatus & { stage: TerminateStage | null };

export type OutputStream = 'stdout' | 'stderr';

export type OutputChunk = { stream: OutputStream; data: Buffer };

export type Disposable = { dispose(): void };
