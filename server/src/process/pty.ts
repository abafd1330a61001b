import { constants } from 'node:os';
import { spawn as spawnPty, type IPty, type IPtyForkOptions } from 'node-pty';
import { checkCloseOnExec, closeMasterOnExec } from './cloexec.js';
import { checkCommand, parseArgv, type Command } from './command.js';
import { DEFAULT_PTY_COLS, DEFAULT_PTY_ROWS, DEFAULT_PTY_TERM, TERMINAL_EOF } from './constants.js';
import { ProcessError } from './errors.js';
import {
  isSigkill,
  keeperUnavailable,
  requestFromKeeper,
  underKeeper,
  validateKeeper,
  type KeeperSpec,
} from './keeper.js';
import { Lifecycle } from './lifecycle.js';
import { ProcessBase } from './process-base.js';
import { takeOverMaster, type PtyMaster } from './pty-master.js';
import { sendSignal, signalName, validateSignal } from './signal.js';
import { foregroundGroup, sessionGroups, type SessionScope } from './terminal.js';
import type { EscalationStep } from './terminate.js';
import type { ExitStatus } from './types.js';
import { describeValue, validateFlag, validateHighWaterMark } from './validate.js';

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
  /**
   * As for `Process`: run the program under the keeper, which leads the terminal's session; `pid`
   * is then the keeper's. Default `false`.
   */
  keeper?: boolean;
  /** With `keeper`: cgroup directories (one per hierarchy) the keeper joins before the program starts. */
  cgroup?: string | readonly string[];
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
 * A program on a pseudo-terminal, with the interface of `Process`. The program is the leader of
 * a new session whose controlling terminal is the PTY. All output arrives on stdout (`readErr()`
 * is always empty) with the exact bytes the program wrote, after the terminal's processing (LF
 * becomes CR LF, input is echoed).
 */
export class PtyProcess extends ProcessBase {
  /** Starts `argv` on a new terminal; rejects with a `ProcessError` naming the command. */
  static spawn(argv: string[] | string, options?: PtyOptions): Promise<PtyProcess> {
    // node-pty forks synchronously, so the outcome is already known.
    return new Promise((resolve, reject) => {
      const started = new PtyProcess(argv, options);
      const failure = started.lifecycle.spawnError;
      if (failure === null) resolve(started);
      else reject(failure);
    });
  }

  readonly #command: Command;
  readonly #pty: IPty | null;
  readonly #master: PtyMaster | null;
  readonly #killGroupOnExit: boolean;
  /** Where the processes of the terminal's session are looked for, and whether the keeper leads it. */
  readonly #scope: SessionScope;
  #inputClosed = false;
  #sweepSessionOnExit = false;

  constructor(argv: string[] | string, options: PtyOptions = {}) {
    const command = parseArgv(argv);
    const highWaterMark = validateHighWaterMark(options.highWaterMark);
    const killGroupOnExit = validateFlag('killGroupOnExit', options.killGroupOnExit);
    const cols = validateSize('cols', options.cols ?? DEFAULT_PTY_COLS);
    const rows = validateSize('rows', options.rows ?? DEFAULT_PTY_ROWS);
    const keeper = validateKeeper(options.keeper, options.cgroup);

    const started = startPty(command, keeper, {
      name: options.name ?? DEFAULT_PTY_TERM,
      cols,
      rows,
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? process.env,
      uid: options.uid,
      gid: options.gid,
      encoding: null, // Buffers: exact bytes, no decoding of split characters
    });
    const pty = started instanceof ProcessError ? null : started;
    // Before the event loop turns: node-pty's exit callback cannot have run yet.
    const master = pty === null ? null : takeOverMaster(pty);
    // Its `draining` lasts until the master reads EIO; node-pty has waited for the program by then.
    super(
      new Lifecycle(master === null ? null : master.source, null, {
        collect: options.collect ?? true,
        highWaterMark,
      }),
    );
    this.#command = command;
    this.#killGroupOnExit = killGroupOnExit;
    this.#scope = { cgroups: keeper?.cgroups ?? [], keeper: keeper !== null };
    this.#pty = pty;
    this.#master = master;

    if (started instanceof ProcessError) {
      this.lifecycle.fail(started);
      return;
    }
    // Reported as soon as the program has exited (see pty-master.ts); its output drains after that.
    started.onExit(({ exitCode, signal }) => this.#onExit(exitStatus(exitCode, signal)));
  }

  /**
   * Bytes passed to `write()` that the terminal has not accepted yet (the program is not reading,
   * or reads slowly). A caller can refuse more input above a bound of its own. 0 once exited.
   */
  get pendingInputBytes(): number {
    return this.lifecycle.isRunning ? (this.#master?.pendingInputBytes() ?? 0) : 0;
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
    if (!this.lifecycle.isRunning) return;
    const bytes =
      typeof data === 'string'
        ? Buffer.from(data)
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.#master?.write(bytes) !== true) pty.write(bytes);
  }

  /**
   * Sends the terminal's end-of-file character (Ctrl-D), as a user at the keyboard would: a
   * program reading lines sees end-of-file if it comes at the start of a line. Later writes throw.
   */
  closeInput(): void {
    const pty = this.#requirePty();
    if (this.#inputClosed) return;
    this.#inputClosed = true;
    if (this.lifecycle.isRunning) pty.write(TERMINAL_EOF);
  }

  /**
   * SIGINT, SIGQUIT and SIGTSTP go to the terminal's foreground process group, as Ctrl-C, Ctrl-\ and
   * Ctrl-Z do: in a shell they stop the running job, not the shell. Other signals go to the
   * program's own process group. Throws `ECHILD` once the program has been waited for.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): void {
    const pid = this.#requirePty().pid;
    const valid = validateSignal(signal);
    this.lifecycle.assertRunning(pid, this.#command.name);
    if (KEYBOARD_SIGNALS.has(valid)) this.#signalGroup(pid, foregroundGroup(pid), valid);
    // The keeper leads the session; the program may have made a group of its own (a job-control
    // shell does): the keeper knows which.
    else if (this.#scope.keeper) requestFromKeeper(pid, valid);
    else sendSignal({ pid, group: true }, valid);
  }

  /** A SIGKILL to the keeper's own group goes through it, as it would die before cleaning up. */
  #signalGroup(leader: number, group: number, signal: NodeJS.Signals | number): void {
    if (this.#scope.keeper && group === leader && isSigkill(signal)) requestFromKeeper(leader, signal);
    else sendSignal({ pid: group, group: true }, signal);
  }

  /**
   * Any signal to the terminal's foreground process group: the job the user sees running, as a
   * terminal's keys would reach it (a shell session's `kill` would hit the waiting shell instead).
   * Throws `ECHILD` once the program has been waited for.
   */
  signalForeground(signal: NodeJS.Signals | number): void {
    const pid = this.#requirePty().pid;
    const valid = validateSignal(signal);
    this.lifecycle.assertRunning(pid, this.#command.name);
    this.#signalGroup(pid, foregroundGroup(pid), valid);
  }

  /** Sets the terminal's size; the program gets SIGWINCH. A no-op once it has exited. */
  resize(cols: number, rows: number): void {
    const pty = this.#requirePty();
    const width = validateSize('cols', cols);
    const height = validateSize('rows', rows);
    if (this.lifecycle.isRunning) pty.resize(width, height);
  }

  /**
   * terminate(): Ctrl-D, then SIGHUP (the terminal hanging up), SIGTERM and SIGKILL, each to every
   * process group of the session (the shell and all its jobs). Once the program has exited, what is
   * left of its session is killed.
   */
  protected escalation(): EscalationStep[] | null {
    const pty = this.#pty;
    if (pty === null) return null;
    const toSession = (signal: NodeJS.Signals) => (): void => this.#signalSession(pty.pid, signal);
    this.#sweepSessionOnExit = true;
    return [
      { stage: 'stdin', act: () => this.closeInput() },
      { stage: 'SIGHUP', act: toSession('SIGHUP') },
      { stage: 'SIGTERM', act: toSession('SIGTERM') },
      { stage: 'SIGKILL', act: toSession('SIGKILL') },
    ];
  }

  #signalSession(sid: number, signal: NodeJS.Signals): void {
    if (!this.lifecycle.isRunning) return;
    // The keeper kills every process it contains, in this session or not.
    if (this.#scope.keeper && isSigkill(signal)) return requestFromKeeper(sid, signal);
    // The leader is alive here, so its own group is a safe fallback where /proc is missing.
    for (const group of sessionGroups(sid, this.#scope) ?? [sid])
      sendSignal({ pid: group, group: true }, signal);
  }

  #onExit(status: ExitStatus): void {
    const pid = this.#pty?.pid;
    // node-pty's thread has already reaped the program, so its pid is free unless something else
    // still uses it as a group or session id. Only groups seen with a live member are signalled
    // (see sessionGroups), never the bare session id, and without /proc nothing at all.
    // Done here, before the drain, so that a background job cannot keep writing to (and holding
    // open) a terminal whose program is gone.
    if ((this.#sweepSessionOnExit || this.#killGroupOnExit) && pid !== undefined) {
      for (const group of sessionGroups(pid, this.#scope) ?? [])
        sendSignal({ pid: group, group: true }, 'SIGKILL');
    }
    this.#master?.discardInput();
    this.lifecycle.exit(status);
  }

  protected requirePid(): number {
    return this.#requirePty().pid;
  }

  #requirePty(): IPty {
    const failure = this.lifecycle.spawnError;
    if (failure !== null) throw failure;
    if (this.#pty === null) throw new ProcessError('ESPAWN', `${this.#name} failed to start`);
    return this.#pty;
  }

  get #name(): string {
    return JSON.stringify(this.#command.name);
  }
}

/**
 * Checks what node-pty would only report as text on the terminal, forks, and at once, before any
 * other process can be started and inherit it, marks the master close-on-exec (see cloexec.ts).
 * A program whose master cannot be marked is killed: it is never left running.
 */
function startPty(
  command: Command,
  keeper: KeeperSpec | null,
  options: IPtyForkOptions & { cwd: string; env: NodeJS.ProcessEnv },
): IPty | ProcessError {
  const refused =
    (keeper === null ? null : keeperUnavailable()) ??
    checkCommand(command, options.cwd, options.env.PATH) ??
    checkCloseOnExec(command);
  if (refused !== null) return refused;
  const started = keeper === null ? command : underKeeper(command, keeper);
  const pty = spawnPty(started.file, started.args, options);
  const leaked = closeMasterOnExec(pty, command);
  if (leaked === null) return pty;
  pty.kill('SIGKILL');
  return leaked;
}

function exitStatus(exitCode: number, signal: number | undefined): ExitStatus {
  if (signal === undefined || signal === 0) return { code: exitCode, signal: null };
  const name = signalName(signal);
  // Exactly one is set: a signal this platform cannot name falls back to node-pty's exit code.
  return name !== null ? { code: null, signal: name } : { code: exitCode, signal: null };
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
