import type { Lifecycle } from './lifecycle.js';
import type { EscalationStep } from './terminate.js';
import type { Disposable, ExitStatus, OutputChunk, TerminateOptions, TerminateResult } from './types.js';

/**
 * What `Process` and `PtyProcess` offer alike, written once: reading, waiting, terminating and the
 * events, all answered by their Lifecycle. Each subclass says only what differs: how it started
 * (its pid, or why there is none) and which steps its termination takes; input, signals and
 * resizing stay in the subclass.
 */
export abstract class ProcessBase {
  protected readonly lifecycle: Lifecycle;

  protected constructor(lifecycle: Lifecycle) {
    this.lifecycle = lifecycle;
  }

  /**
   * The process id. Once the process has been waited for (it has exited), the OS may give the
   * same id to another process. Throws the spawn failure if there is no process.
   */
  get pid(): number {
    return this.requirePid();
  }

  /** Returns and clears the stdout collected so far (empty if stdout is not a pipe). */
  read(): Buffer {
    return this.lifecycle.take('stdout');
  }

  /** Returns and clears the stderr collected so far (empty if not a pipe; always, on a terminal). */
  readErr(): Buffer {
    return this.lifecycle.take('stderr');
  }

  readBoth(): [Buffer, Buffer] {
    return [this.read(), this.readErr()];
  }

  /** The exit status if the process has terminated, otherwise `null` (waitpid with WNOHANG). */
  poll(): ExitStatus | null {
    this.requirePid();
    return this.lifecycle.status;
  }

  /** Resolves when the process has terminated and all of its output has been delivered. */
  wait(): Promise<ExitStatus> {
    return this.lifecycle.done;
  }

  /**
   * Takes the subclass's escalation steps (see `escalation()`) a grace period apart until the
   * process exits. Resolves with the stage reached (`null` if the process had already exited) once
   * the process has exited and its output has been read — except output the caller holds back
   * (pauseOutput, highWaterMark), which `wait()` still waits for. A call while one runs joins it
   * (its options are not used).
   */
  terminate(options: TerminateOptions = {}): Promise<TerminateResult> {
    return this.lifecycle.terminate(options, () => this.escalation());
  }

  /** Delivers output chunks in arrival order (stdout and stderr interleaved). */
  onOutput(listener: (chunk: OutputChunk) => void): Disposable {
    return this.lifecycle.onOutput(listener);
  }

  /**
   * Whether `onOutput` listeners are lent their chunks (`lendOutput` asked for it, and the pipes
   * could be read that way): each chunk's data is then valid only during the call.
   */
  get lendsOutput(): boolean {
    return this.lifecycle.lendsOutput;
  }

  /** Output as an async iterable that ends after the last chunk; it subscribes when called. */
  output(): AsyncIterable<OutputChunk> {
    return this.lifecycle.output();
  }

  /**
   * Fires once, after the last output chunk was delivered (when `wait()` resolves). Subscribing
   * after that still fires, on a microtask. Never fires if the process failed to start.
   */
  onExit(listener: (status: ExitStatus) => void): Disposable {
    return this.lifecycle.onExit(listener);
  }

  /**
   * Fires once, as soon as the exit status is known (when `poll()` starts returning it), while
   * output may still be draining — or held back by `pauseOutput()`. From then on the process can
   * no longer be signalled. Subscribing later still fires, on a microtask. Never fires if the
   * process failed to start. `onExit` comes after it, once the last output was delivered.
   */
  onProcessExit(listener: (status: ExitStatus) => void): Disposable {
    return this.lifecycle.onProcessExit(listener);
  }

  /** Stops reading output: the child blocks when the pipe or terminal fills. Nothing is lost. */
  pauseOutput(): void {
    this.lifecycle.pauseOutput();
  }

  resumeOutput(): void {
    this.lifecycle.resumeOutput();
  }

  /** The pid; throws the spawn failure, or `ESPAWN` while the reason is not known yet. */
  protected abstract requirePid(): number;

  /** The steps `terminate()` takes, or `null` when there is nothing to signal (no pid). */
  protected abstract escalation(): EscalationStep[] | null;
}
