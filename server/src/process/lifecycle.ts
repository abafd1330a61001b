import { DEFAULT_GRACE_PERIOD_MS } from './constants.js';
import { ProcessError } from './errors.js';
import { iterateOutput } from './iterate.js';
import { Listeners } from './listeners.js';
import { Outcome } from './outcome.js';
import { Output, PAUSED, type OutputOptions, type OutputSource } from './output.js';
import { escalate, type EscalationStep } from './terminate.js';
import type {
  Disposable,
  ExitStatus,
  OutputChunk,
  OutputStream,
  TerminateOptions,
  TerminateResult,
} from './types.js';
import { validateDuration } from './validate.js';

/**
 *   running ──exit──► draining ──output at end (or abandoned)──► exiting ──microtask──► exited
 *      (spawn failure) ──► failed
 *
 * From `draining` on the program has been waited for and its pid may be reused, so nothing
 * signals it any more. In `exiting` the exit listeners are due on a microtask.
 */
type State = 'running' | 'draining' | 'exiting' | 'exited' | 'failed';

/**
 * What a child's life looks like from outside, the same for a pipe child (`Process`) and a terminal
 * one (`PtyProcess`): its state, its collected output, its exit status and the listeners waiting for
 * it, and one termination at a time. Each class keeps what differs: how it spawns, writes, signals,
 * sweeps what is left at exit, and which steps its termination takes.
 */
export class Lifecycle {
  readonly #output: Output;
  readonly #highWaterMark: number;
  readonly #exitListeners = new Listeners<ExitStatus>();
  readonly #processExitListeners = new Listeners<ExitStatus>();
  /** The exit status, once the program was waited for (rejected: it never started). */
  readonly #exited = new Outcome<ExitStatus>();
  /** The same once all of its output was delivered too: what wait() resolves with. */
  readonly #done = new Outcome<ExitStatus>();
  #state: State = 'running';
  #status: ExitStatus | null = null;
  #spawnError: ProcessError | null = null;
  #terminating: Promise<TerminateResult> | null = null;

  constructor(stdout: OutputSource | null, stderr: OutputSource | null, options: OutputOptions) {
    // It calls outputDrained() once drained, possibly from its own constructor (#finishIfDone).
    this.#output = new Output(stdout, stderr, options, this);
    this.#highWaterMark = options.highWaterMark;
  }

  /** Only a running program may be signalled, written to or resized. */
  get isRunning(): boolean {
    return this.#state === 'running';
  }

  get status(): ExitStatus | null {
    return this.#status;
  }

  get spawnError(): ProcessError | null {
    return this.#spawnError;
  }

  /** Resolves once the program has exited and all of its output has been delivered. */
  get done(): Promise<ExitStatus> {
    return this.#done.promise;
  }

  /** @internal Output's call once both pipes ended, or were abandoned after the exit. */
  outputDrained(): void {
    this.#finishIfDone();
  }

  /** Throws `ECHILD` once the program has been waited for: its pid may belong to another by now. */
  assertRunning(pid: number, command: string): void {
    if (this.#state === 'running') return;
    throw new ProcessError(
      'ECHILD',
      `process ${pid} (${JSON.stringify(command)}) has already exited and been waited for`,
    );
  }

  /** The program has exited and been waited for; its output still drains. */
  exit(status: ExitStatus): void {
    this.#status = Object.freeze(status);
    this.#state = 'draining';
    this.#exited.resolve(this.#status);
    this.#processExitListeners.emit(this.#status);
    this.#output.afterExit();
    this.#finishIfDone();
  }

  /**
   * Exited and drained: on a microtask, as when this was a Promise.all, the state becomes 'exited',
   * the exit listeners run, then wait() resolves.
   */
  #finishIfDone(): void {
    const status = this.#status;
    // No status yet also covers the call from Output's constructor, before #output is set.
    if (status === null || this.#state !== 'draining' || !this.#output.drained) return;
    this.#state = 'exiting';
    queueMicrotask(() => {
      this.#state = 'exited';
      this.#exitListeners.emit(status);
      this.#done.resolve(status);
    });
  }

  /** The program never started: there is nothing to read or wait for. */
  fail(error: ProcessError): void {
    if (this.#state === 'failed') return;
    this.#state = 'failed';
    this.#spawnError = error;
    this.#output.abandon();
    this.#exited.reject(error);
    this.#done.reject(error);
  }

  /**
   * Runs `escalation()`'s steps once; a call while one runs joins it. `escalation` is asked only
   * while the program runs and returns `null` when there is nothing to signal.
   */
  async terminate(
    options: TerminateOptions,
    escalation: () => readonly EscalationStep[] | null,
  ): Promise<TerminateResult> {
    const gracePeriodMs = validateDuration('gracePeriodMs', options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS);
    this.#terminating ??= this.#terminate(gracePeriodMs, options.onStage, escalation);
    return this.#terminating;
  }

  take(stream: OutputStream): Buffer {
    return this.#output.take(stream);
  }

  onOutput(listener: (chunk: OutputChunk) => void): Disposable {
    return this.#output.chunks.add(listener);
  }

  get lendsOutput(): boolean {
    return this.#output.lends;
  }

  output(): AsyncIterable<OutputChunk> {
    return iterateOutput({
      chunks: this.#output.chunks,
      finished: this.#done.promise,
      hold: (reason) => this.#output.hold(reason),
      release: (reason) => this.#output.release(reason),
      limit: this.#highWaterMark,
      lends: this.lendsOutput,
    });
  }

  /** After the last output chunk: with `done`. */
  onExit(listener: (status: ExitStatus) => void): Disposable {
    const status = this.#status;
    if (this.#state !== 'exited' || status === null) return this.#exitListeners.add(listener);
    return later(listener, status);
  }

  /** As soon as the status is known: with `exit()`, while output may still be draining. */
  onProcessExit(listener: (status: ExitStatus) => void): Disposable {
    const status = this.#status;
    if (status === null) return this.#processExitListeners.add(listener);
    return later(listener, status);
  }

  pauseOutput(): void {
    this.#output.hold(PAUSED);
  }

  resumeOutput(): void {
    this.#output.release(PAUSED);
  }

  async #terminate(
    gracePeriodMs: number,
    onStage: TerminateOptions['onStage'],
    escalation: () => readonly EscalationStep[] | null,
  ): Promise<TerminateResult> {
    const steps = this.#state === 'running' ? escalation() : null;
    if (steps === null) {
      return { ...(await this.#settled()), stage: null }; // rejects with the spawn failure
    }
    const stage = await escalate(steps, this.#exited.promise, gracePeriodMs, onStage);
    return { ...(await this.#settled()), stage };
  }

  /**
   * The exit status once the program has exited and its output has been read as far as the caller
   * lets it: output held back by pauseOutput(), a high-water mark or a slow iterator must not keep
   * terminate() from resolving (the caller may be about to discard it). wait() waits for all of it.
   */
  async #settled(): Promise<ExitStatus> {
    const status = await this.#exited.promise;
    await Promise.race([this.#done.promise, this.#output.settled()]);
    return status;
  }
}

/** A subscription to an event that has already happened: it fires on a microtask, unless disposed. */
function later(listener: (status: ExitStatus) => void, status: ExitStatus): Disposable {
  let active = true;
  queueMicrotask(() => {
    if (active) listener(status);
  });
  return { dispose: () => void (active = false) };
}
