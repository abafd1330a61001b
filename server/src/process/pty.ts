import { constants } from 'node:os';
import { checkCommand, parseArgv, type Command } from './command.js';
import { DEFAULT_PTY_COLS, DEFAULT_PTY_ROWS, DEFAULT_PTY_TERM, TERMINAL_EOF } from './constants.js';
import { ProcessError } from './errors.js';
import { isSigkill, keeperUnavailable, requestFromKeeper, underKeeper, validateKeeper } from './keeper.js';
import { Lifecycle } from './lifecycle.js';
import { ProcessBase } from './process-base.js';
import { sendSignal, validateSignal } from './signal.js';
import { startFailure } from './spawn.js';
import { foregroundGroup, sessionGroups, type SessionScope } from './terminal.js';
import {
  startTerminal,
  startTerminalAsync,
  terminalAddon,
  type TerminalChild,
  type TerminalSpec,
} from './terminal-spawn.js';
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

/** The options checked and the program to start, before anything starts. */
interface TerminalPlan {
  command: Command;
  /** What starts: the program, or the keeper with the program. */
  spec: TerminalSpec;
  /** Why it must not start, found before starting it. */
  refused: ProcessError | null;
  highWaterMark: number;
  collect: boolean;
  killGroupOnExit: boolean;
  scope: SessionScope;
}

type TerminalOutcome =
  { child: TerminalChild; error?: undefined } | { child?: undefined; error: ProcessError };

/**
 * A program on a pseudo-terminal, with the interface of `Process`. The program is the leader of
 * a new session whose controlling terminal is the PTY. All output arrives on stdout (`readErr()`
 * is always empty) with the exact bytes the program wrote, after the terminal's processing (LF
 * becomes CR LF, input is echoed).
 */
export class PtyProcess extends ProcessBase {
  /**
   * Starts `argv` on a new terminal; rejects with a `ProcessError` naming the command. Unlike the
   * constructor, the event loop goes on while the program starts (terminal-spawn.ts).
   */
  static async spawn(argv: string[] | string, options: PtyOptions = {}): Promise<PtyProcess> {
    const plan = planTerminal(argv, options);
    const outcome = await startOutcomeAsync(plan);
    PtyProcess.#prepared = { plan, outcome };
    let started: PtyProcess;
    try {
      started = new PtyProcess(argv, options);
    } finally {
      PtyProcess.#prepared = undefined;
    }
    const failure = started.lifecycle.spawnError;
    if (failure !== null) throw failure;
    return started;
  }

  /** What spawn() has planned and started, for the constructor it calls next (synchronously). */
  static #prepared: { plan: TerminalPlan; outcome: TerminalOutcome } | undefined;

  readonly #command: Command;
  readonly #child: TerminalChild | null;
  readonly #killGroupOnExit: boolean;
  /** Where the processes of the terminal's session are looked for, and whether the keeper leads it. */
  readonly #scope: SessionScope;
  #inputClosed = false;
  #sweepSessionOnExit = false;

  /**
   * Starts `argv` on a new terminal. Spawn failures do not throw here: `wait()` and `terminate()`
   * reject with them and `pid`-dependent calls throw them. `PtyProcess.spawn()` reports them up
   * front.
   */
  constructor(argv: string[] | string, options: PtyOptions = {}) {
    const prepared = PtyProcess.#prepared;
    PtyProcess.#prepared = undefined;
    const plan = prepared?.plan ?? planTerminal(argv, options);
    const outcome = prepared?.outcome ?? startOutcome(plan);
    const child = outcome.child ?? null;
    // Its `draining` lasts until the master reads EIO, which comes after the program has exited.
    super(
      new Lifecycle(child === null ? null : child.master.source, null, {
        collect: plan.collect,
        highWaterMark: plan.highWaterMark,
      }),
    );
    this.#command = plan.command;
    this.#killGroupOnExit = plan.killGroupOnExit;
    this.#scope = plan.scope;
    this.#child = child;

    if (outcome.error !== undefined) {
      this.lifecycle.fail(outcome.error);
      return;
    }
    // Reported as soon as the program has exited; its output drains after that.
    outcome.child.onExit((status) => this.#onExit(status));
  }

  /**
   * Bytes passed to `write()` that the terminal has not accepted yet (the program is not reading,
   * or reads slowly). A caller can refuse more input above a bound of its own. 0 once exited.
   */
  get pendingInputBytes(): number {
    return this.lifecycle.isRunning ? (this.#child?.master.pendingInputBytes ?? 0) : 0;
  }

  /** Types into the terminal. Discarded once the program has exited. */
  write(data: string | Uint8Array): void {
    const { master } = this.#requireChild();
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
    master.write(bytes);
  }

  /**
   * Sends the terminal's end-of-file character (Ctrl-D), as a user at the keyboard would: a
   * program reading lines sees end-of-file if it comes at the start of a line. Later writes throw.
   */
  closeInput(): void {
    const { master } = this.#requireChild();
    if (this.#inputClosed) return;
    this.#inputClosed = true;
    if (this.lifecycle.isRunning) master.write(Buffer.from(TERMINAL_EOF));
  }

  /**
   * SIGINT, SIGQUIT and SIGTSTP go to the terminal's foreground process group, as Ctrl-C, Ctrl-\ and
   * Ctrl-Z do: in a shell they stop the running job, not the shell. Other signals go to the
   * program's own process group. Throws `ECHILD` once the program has been waited for.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): void {
    const pid = this.#requireChild().pid;
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
    const pid = this.#requireChild().pid;
    const valid = validateSignal(signal);
    this.lifecycle.assertRunning(pid, this.#command.name);
    this.#signalGroup(pid, foregroundGroup(pid), valid);
  }

  /** Sets the terminal's size; the program gets SIGWINCH. A no-op once it has exited. */
  resize(cols: number, rows: number): void {
    const { master } = this.#requireChild();
    const width = validateSize('cols', cols);
    const height = validateSize('rows', rows);
    if (this.lifecycle.isRunning) master.resize(width, height);
  }

  /**
   * terminate(): Ctrl-D, then SIGHUP (the terminal hanging up), SIGTERM and SIGKILL, each to every
   * process group of the session (the shell and all its jobs). Once the program has exited, what is
   * left of its session is killed.
   */
  protected escalation(): EscalationStep[] | null {
    const child = this.#child;
    if (child === null) return null;
    const toSession = (signal: NodeJS.Signals) => (): void => this.#signalSession(child.pid, signal);
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
    const pid = this.#child?.pid;
    // The program has been reaped already, so its pid is free unless something else
    // still uses it as a group or session id. Only groups seen with a live member are signalled
    // (see sessionGroups), never the bare session id, and without /proc nothing at all.
    // Done here, before the drain, so that a background job cannot keep writing to (and holding
    // open) a terminal whose program is gone.
    if ((this.#sweepSessionOnExit || this.#killGroupOnExit) && pid !== undefined) {
      for (const group of sessionGroups(pid, this.#scope) ?? [])
        sendSignal({ pid: group, group: true }, 'SIGKILL');
    }
    this.#child?.master.discardInput();
    this.lifecycle.exit(status);
  }

  protected requirePid(): number {
    return this.#requireChild().pid;
  }

  #requireChild(): TerminalChild {
    const failure = this.lifecycle.spawnError;
    if (failure !== null) throw failure;
    if (this.#child === null) throw new ProcessError('ESPAWN', `${this.#name} failed to start`);
    return this.#child;
  }

  get #name(): string {
    return JSON.stringify(this.#command.name);
  }
}

/** Checks the options and finds what would refuse the program, before anything starts. */
function planTerminal(argv: string[] | string, options: PtyOptions): TerminalPlan {
  const command = parseArgv(argv);
  const highWaterMark = validateHighWaterMark(options.highWaterMark);
  const killGroupOnExit = validateFlag('killGroupOnExit', options.killGroupOnExit);
  const cols = validateSize('cols', options.cols ?? DEFAULT_PTY_COLS);
  const rows = validateSize('rows', options.rows ?? DEFAULT_PTY_ROWS);
  const keeper = validateKeeper(options.keeper, options.cgroup);
  for (const name of ['uid', 'gid']) {
    // posix_spawn cannot change the user; a terminal's program runs as the gateway does.
    if ((options as Record<string, unknown>)[name] !== undefined) {
      throw new ProcessError(
        'EINVAL',
        `${name} is not supported on a terminal: start the gateway as that user, or run the program ` +
          `through setpriv(1) or runuser(1)`,
      );
    }
  }
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const addon = terminalAddon();
  // The keeper reports a program it cannot run only as exit status 127: look first.
  const refused =
    addon instanceof Error
      ? new ProcessError(
          'ESPAWN',
          `cannot start ${JSON.stringify(command.name)} on a terminal: the spawn addon ` +
            `(server/native, built by npm ci) failed to load: ${addon.message}`,
          { cause: addon, command: command.name },
        )
      : keeper === null
        ? null
        : (keeperUnavailable() ?? checkCommand(command, cwd, env.PATH));
  return {
    command,
    spec: {
      command: keeper === null ? command : underKeeper(command, keeper),
      cwd,
      env,
      name: options.name ?? DEFAULT_PTY_TERM,
      cols,
      rows,
    },
    refused,
    highWaterMark,
    collect: options.collect ?? true,
    killGroupOnExit,
    scope: { cgroups: keeper?.cgroups ?? [], keeper: keeper !== null },
  };
}

/** Starts what `plan` says unless it was refused; a failure to start becomes the outcome's error. */
function startOutcome(plan: TerminalPlan): TerminalOutcome {
  if (plan.refused !== null) return { error: plan.refused };
  try {
    return { child: startTerminal(plan.spec) };
  } catch (error) {
    return { error: startFailure(error, plan.command, plan.spec.cwd) };
  }
}

async function startOutcomeAsync(plan: TerminalPlan): Promise<TerminalOutcome> {
  if (plan.refused !== null) return { error: plan.refused };
  try {
    return { child: await startTerminalAsync(plan.spec) };
  } catch (error) {
    return { error: startFailure(error, plan.command, plan.spec.cwd) };
  }
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
