import { constants } from 'node:os';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { checkCommand } from './command.js';
import {
  DEFAULT_GRACE_PERIOD_MS,
  DEFAULT_PTY_COLS,
  DEFAULT_PTY_ROWS,
  DEFAULT_PTY_TERM,
  TERMINAL_EOF,
} from './constants.js';
import { deferred } from './deferred.js';
import { ProcessError } from './errors.js';
import { iterateOutput } from './iterate.js';
import { Listeners } from './listeners.js';
import { Output, PAUSED } from './output.js';
import { takeOverMaster, type PtyMaster } from './pty-master.js';
import { sendSignal, validateSignal } from './signal.js';
import { parseArgv, type Command } from './spawn.js';
import { foregroundGroup, sessionGroups } from './terminal.js';
import { escalate } from './terminate.js';
import type { Disposable, ExitStatus, OutputChunk, TerminateOptions, TerminateResult } from './types.js';
import { describeValue, validateDuration, validateFlag, validateHighWaterMark } from './validate.js';

export interface PtyOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
  /** The terminal type, set as $TERM. Default `xterm-256color`. */
  name?: string;
  uid?: number;
  gid?: number;
  /** As for `Process`: unread collected output above which reading stops. Default: unbounded. */
  highWaterMark?: number;
  /** As for `Process`: `false` sends output only to subscribers. */
  collect?: boolean;
  /**
   * When the program exits by itself, kill (SIGKILL) whatever is left in its terminal session:
   * background jobs and anything they started there. Default `false`.
   */
  killGroupOnExit?: boolean;
}

/** The signals the terminal itself sends from the keyboard (Ctrl-C, Ctrl-\, Ctrl-Z). */
const KEYBOARD_SIGNALS: ReadonlySet<NodeJS.Signals | number> = new Set([
  'SIGINT',
  'SIGQUIT',
  'SIGTSTP',
  constants.signals.SIGINT,
  constants.signals.SIGQUIT,
  constants.signals.SIGTSTP,
]);

/**
 *   running ──exit──► draining ──master at EIO (or abandoned)──► exited
 *      (spawn failure) ──► failed
 *
 * From `draining` on the program has been waited for (by node-pty) and its pid may be reused.
 */
type State = 'running' | 'draining' | 'exited' | 'failed';

/**
 * A program on a pseudo-terminal, with the interface of `Process`. The program is the leader of
 * a new session whose controlling terminal is the PTY. All output arrives on stdout (`readErr()`
 * is always empty) with the exact bytes the program wrote, after the terminal's processing (LF
 * becomes CR LF, input is echoed).
 */
export class PtyProcess {
  /** Starts `argv` on a new terminal; rejects with a `ProcessError` naming the command. */
  static spawn(argv: string[] | string, options?: PtyOptions): Promise<PtyProcess> {
    // node-pty forks synchronously, so the outcome is already known.
    return new Promise((resolve, reject) => {
      const started = new PtyProcess(argv, options);
      if (started.#spawnError === null) resolve(started);
      else reject(started.#spawnError);
    });
  }

  readonly #command: Command;
  readonly #pty: IPty | null;
  readonly #master: PtyMaster | null;
  readonly #output: Output;
  readonly #killGroupOnExit: boolean;
  readonly #highWaterMark: number;
  readonly #exitListeners = new Listeners<ExitStatus>();
  readonly #exited = deferred<ExitStatus>();
  readonly #done: Promise<ExitStatus>;
  #state: State = 'running';
  #status: ExitStatus | null = null;
  #spawnError: ProcessError | null = null;
  #inputClosed = false;
  #terminating: Promise<TerminateResult> | null = null;
  #sweepSessionOnExit = false;

  constructor(argv: string[] | string, options: PtyOptions = {}) {
    this.#command = parseArgv(argv);
    this.#highWaterMark = validateHighWaterMark(options.highWaterMark);
    this.#killGroupOnExit = validateFlag('killGroupOnExit', options.killGroupOnExit);
    const cols = validateSize('cols', options.cols ?? DEFAULT_PTY_COLS);
    const rows = validateSize('rows', options.rows ?? DEFAULT_PTY_ROWS);
    const cwd = options.cwd ?? process.cwd();
    const env = options.env ?? process.env;

    const problem = checkCommand(this.#command, cwd, env.PATH);
    let pty: IPty | null = null;
    if (problem === null) {
      pty = spawnPty(this.#command.file, this.#command.args, {
        name: options.name ?? DEFAULT_PTY_TERM,
        cols,
        rows,
        cwd,
        env,
        uid: options.uid,
        gid: options.gid,
        encoding: null, // Buffers: exact bytes, no decoding of split characters
      });
    }
    this.#pty = pty;
    // Before the event loop turns: node-pty's exit callback cannot have run yet.
    const master = pty === null ? null : takeOverMaster(pty);
    this.#master = master;
    this.#output = new Output(master === null ? null : master.source, null, {
      collect: options.collect ?? true,
      highWaterMark: this.#highWaterMark,
    });
    this.#exited.promise.catch(() => {});
    this.#done = Promise.all([this.#exited.promise, this.#output.drained]).then(([status]) => {
      this.#state = 'exited';
      this.#exitListeners.emit(status);
      return status;
    });
    this.#done.catch(() => {});

    if (pty === null) {
      this.#state = 'failed';
      this.#spawnError = problem;
      this.#exited.reject(problem);
      return;
    }
    // Reported as soon as the program has exited (see pty-master.ts); its output drains after that.
    pty.onExit(({ exitCode, signal }) => this.#onExit(exitStatus(exitCode, signal)));
  }

  get pid(): number {
    return this.#requirePty().pid;
  }

  /**
   * Bytes passed to `write()` that the terminal has not accepted yet (the program is not reading,
   * or reads slowly). A caller can refuse more input above a bound of its own. 0 once exited.
   */
  get pendingInputBytes(): number {
    return this.#state === 'running' ? (this.#master?.pendingInputBytes() ?? 0) : 0;
  }

  /** Types into the terminal. Discarded once the program has exited. */
  write(data: string | Uint8Array): void {
    const pty = this.#requirePty();
    if (this.#inputClosed) {
      throw new ProcessError(
        'ESTDIN_CLOSED',
        `cannot write to the terminal of ${this.#name}: closeInput() was called`,
      );
    }
    if (this.#state === 'running') pty.write(typeof data === 'string' ? data : Buffer.from(data));
  }

  /**
   * Sends the terminal's end-of-file character (Ctrl-D), as a user at the keyboard would: a
   * program reading lines sees end-of-file if it comes at the start of a line. Later writes throw.
   */
  closeInput(): void {
    const pty = this.#requirePty();
    if (this.#inputClosed) return;
    this.#inputClosed = true;
    if (this.#state === 'running') pty.write(TERMINAL_EOF);
  }

  /**
   * SIGINT, SIGQUIT and SIGTSTP go to the terminal's foreground process group, as Ctrl-C, Ctrl-\ and
   * Ctrl-Z do: in a shell they stop the running job, not the shell. Other signals go to the
   * program's own process group. Throws `ECHILD` once the program has been waited for.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): void {
    const pid = this.#requirePty().pid;
    const valid = validateSignal(signal);
    if (this.#state !== 'running') {
      throw new ProcessError(
        'ECHILD',
        `process ${pid} (${this.#name}) has already exited and been waited for`,
      );
    }
    const target = KEYBOARD_SIGNALS.has(valid) ? foregroundGroup(pid) : pid;
    sendSignal({ pid: target, group: true }, valid);
  }

  /** Sets the terminal's size; the program gets SIGWINCH. A no-op once it has exited. */
  resize(cols: number, rows: number): void {
    const pty = this.#requirePty();
    const width = validateSize('cols', cols);
    const height = validateSize('rows', rows);
    if (this.#state === 'running') pty.resize(width, height);
  }

  read(): Buffer {
    return this.#output.take('stdout');
  }

  /** Always empty: a terminal has one output stream. */
  readErr(): Buffer {
    return this.#output.take('stderr');
  }

  readBoth(): [Buffer, Buffer] {
    return [this.read(), this.readErr()];
  }

  poll(): ExitStatus | null {
    this.#requirePty();
    return this.#status;
  }

  wait(): Promise<ExitStatus> {
    return this.#done;
  }

  /**
   * Ctrl-D, then SIGHUP (the terminal hanging up), SIGTERM and SIGKILL, each a grace period apart and
   * each to every process group of the session (the shell and all its jobs). Once the program has
   * exited, what is left of its session is killed.
   */
  async terminate(options: TerminateOptions = {}): Promise<TerminateResult> {
    validateDuration('gracePeriodMs', options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS);
    this.#terminating ??= this.#terminate(options);
    return this.#terminating;
  }

  onOutput(listener: (chunk: OutputChunk) => void): Disposable {
    return this.#output.chunks.add(listener);
  }

  output(): AsyncIterable<OutputChunk> {
    return iterateOutput({
      chunks: this.#output.chunks,
      finished: this.#done,
      hold: (reason) => this.#output.hold(reason),
      release: (reason) => this.#output.release(reason),
      limit: this.#highWaterMark,
    });
  }

  onExit(listener: (status: ExitStatus) => void): Disposable {
    const status = this.#status;
    if (this.#state !== 'exited' || status === null) return this.#exitListeners.add(listener);
    let active = true;
    queueMicrotask(() => {
      if (active) listener(status);
    });
    return { dispose: () => void (active = false) };
  }

  /**
   * Stops reading the terminal: the program blocks once the terminal's buffer is full. Nothing is
   * lost, also across the program's exit: the drain after it does not count time spent paused.
   */
  pauseOutput(): void {
    this.#output.hold(PAUSED);
  }

  resumeOutput(): void {
    this.#output.release(PAUSED);
  }

  async #terminate(options: TerminateOptions): Promise<TerminateResult> {
    const pty = this.#pty;
    if (pty === null || this.#state !== 'running') {
      return { ...(await this.#settled()), stage: null };
    }
    const toSession = (signal: NodeJS.Signals) => (): void => this.#signalSession(pty.pid, signal);
    this.#sweepSessionOnExit = true;
    const stage = await escalate(
      [
        { stage: 'stdin', act: () => this.closeInput() },
        { stage: 'SIGHUP', act: toSession('SIGHUP') },
        { stage: 'SIGTERM', act: toSession('SIGTERM') },
        { stage: 'SIGKILL', act: toSession('SIGKILL') },
      ],
      this.#exited.promise,
      options,
    );
    return { ...(await this.#settled()), stage };
  }

  async #settled(): Promise<ExitStatus> {
    const status = await this.#exited.promise;
    await Promise.race([this.#done, this.#output.settled()]);
    return status;
  }

  #signalSession(sid: number, signal: NodeJS.Signals): void {
    if (this.#state !== 'running') return;
    // The leader is alive here, so its own group is a safe fallback where /proc is missing.
    for (const group of sessionGroups(sid) ?? [sid]) sendSignal({ pid: group, group: true }, signal);
  }

  #onExit(status: ExitStatus): void {
    const pid = this.#pty?.pid;
    // node-pty's thread has already reaped the program, so its pid is free unless something else
    // still uses it as a group or session id. Only groups seen with a live member are signalled
    // (see sessionGroups), never the bare session id, and without /proc nothing at all.
    // Done here, before the drain, so that a background job cannot keep writing to (and holding
    // open) a terminal whose program is gone.
    if ((this.#sweepSessionOnExit || this.#killGroupOnExit) && pid !== undefined) {
      for (const group of sessionGroups(pid) ?? []) sendSignal({ pid: group, group: true }, 'SIGKILL');
    }
    this.#master?.discardInput();
    this.#status = Object.freeze(status);
    this.#state = 'draining';
    this.#exited.resolve(this.#status);
    this.#output.afterExit();
  }

  #requirePty(): IPty {
    if (this.#spawnError !== null) throw this.#spawnError;
    if (this.#pty === null) throw new ProcessError('ESPAWN', `${this.#name} failed to start`);
    return this.#pty;
  }

  get #name(): string {
    return JSON.stringify(this.#command.name);
  }
}

function exitStatus(exitCode: number, signal: number | undefined): ExitStatus {
  if (signal === undefined || signal === 0) return { code: exitCode, signal: null };
  const name = Object.entries(constants.signals).find(([, number]) => number === signal)?.[0];
  // Exactly one is set: a signal this platform cannot name falls back to node-pty's exit code.
  return isSignalName(name) ? { code: null, signal: name } : { code: exitCode, signal: null };
}

function isSignalName(name: string | undefined): name is NodeJS.Signals {
  return name !== undefined && Object.hasOwn(constants.signals, name);
}

function validateSize(name: 'cols' | 'rows', value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0xffff) {
    throw new ProcessError(
      'EINVAL',
      `${name} must be an integer from 1 to 65535, received ${describeValue(value)}`,
    );
  }
  return value;
}
