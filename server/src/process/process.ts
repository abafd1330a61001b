import type { SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkCommand, parseArgv, type Command } from './command.js';
import { ProcessError } from './errors.js';
import { Input } from './input.js';
import {
  isSigkill,
  keeperUnavailable,
  requestFromKeeper,
  underKeeper,
  validateKeeper,
  type KeeperSpec,
} from './keeper.js';
import { Lifecycle } from './lifecycle.js';
import { Outcome } from './outcome.js';
import { pipeSource, type OutputSource } from './output.js';
import { ProcessBase } from './process-base.js';
import { sendSignal, validateSignal } from './signal.js';
import { spawnError, startChild, startChildAsync, type Child, type SpawnOutcome } from './spawn.js';
import type { EscalationStep } from './terminate.js';
import type { ExitStatus, OutputStream, ProcessOptions } from './types.js';
import { validateFlag, validateHighWaterMark, validateReadBytes } from './validate.js';

/**
 * A child process whose output is collected in the background as it arrives, whose input is
 * queued, and which can be polled, awaited and terminated with escalating force.
 */
export class Process extends ProcessBase {
  /** Resolves once the OS started the child; rejects with a `ProcessError` naming the command. */
  static async spawn(argv: string[] | string, options: ProcessOptions = {}): Promise<Process> {
    // Unlike the constructor, the event loop goes on while the child starts (fast-spawn.ts).
    const plan = planSpawn(argv, options);
    const outcome =
      plan.refused !== null ? { error: plan.refused } : await startChildAsync(plan.target, plan.spawnOptions);
    Process.#prepared = { plan, outcome };
    let started: Process;
    try {
      started = new Process(argv, options);
    } finally {
      Process.#prepared = undefined;
    }
    await started.#spawned.promise;
    return started;
  }

  /** What spawn() has planned and started, for the constructor it calls next (synchronously). */
  static #prepared: { plan: SpawnPlan; outcome: SpawnOutcome } | undefined;

  readonly #command: Command;
  readonly #child: Child | null;
  readonly #group: boolean;
  readonly #input: Input;
  /** The OS started the child (rejected: it did not); only spawn() awaits it. */
  readonly #spawned = new Outcome<void>();
  #sweepGroupOnExit = false;
  readonly #killGroupOnExit: boolean;
  readonly #keeper: boolean;

  /**
   * Starts `argv` (the program and its arguments; a string is one program name, or a command line
   * with `shell: true`). Spawn failures do not throw here: `wait()` and `terminate()` reject with
   * them and `pid`-dependent calls throw them. `Process.spawn()` reports them up front.
   */
  constructor(argv: string[] | string, options: ProcessOptions = {}) {
    const prepared = Process.#prepared;
    Process.#prepared = undefined;
    const plan = prepared?.plan ?? planSpawn(argv, options);
    const { command, keeperSpec, spawnOptions } = plan;
    const started: SpawnOutcome =
      prepared?.outcome ??
      (plan.refused !== null ? { error: plan.refused } : startChild(plan.target, spawnOptions));
    const child = started.child ?? null;
    // Its `draining` lasts until both pipes are at EOF; `running` includes the tick before 'spawn'.
    super(
      new Lifecycle(
        outputSource(child, 'stdout', plan.lentReadBytes),
        outputSource(child, 'stderr', plan.lentReadBytes),
        {
          collect: plan.collect,
          highWaterMark: plan.highWaterMark,
        },
      ),
    );
    this.#command = command;
    this.#group = plan.group;
    this.#killGroupOnExit = plan.killGroupOnExit;
    this.#keeper = keeperSpec !== null;
    this.#child = child;
    this.#input = new Input(child, command.name);

    if (started.error !== undefined) {
      this.#fail(started.error);
      return;
    }
    // The listeners below live as long as the process: they keep only the child and `cwd`.
    const cwd = spawnOptions.cwd;
    const spawned = started.child;
    if (started.running === true) this.#spawned.resolve();
    else spawned.once('spawn', () => this.#spawned.resolve());
    spawned.on('error', (error: unknown) => {
      // Before a pid exists an error is the spawn failing; later ones (an abort signal option,
      // say) are followed by the 'exit' that tells the outcome.
      if (spawned.pid === undefined) this.#fail(spawnError(error, this.#command, cwd));
    });
    // 'exit' comes once: `on` spares the wrapper `once` would keep.
    spawned.on('exit', (code: number | null, signal: NodeJS.Signals | null) =>
      this.#onExit({ code, signal }),
    );
  }

  /**
   * Bytes queued by `write()` that the OS has not accepted yet (the child is not reading, or reads
   * slowly). A caller can refuse more input above a bound of its own. 0 once the child is gone.
   */
  get pendingInputBytes(): number {
    return this.#input.pendingBytes;
  }

  /** Queues data for stdin and returns at once; order is preserved. Discarded once the child exited. */
  write(data: string | Uint8Array): void {
    this.requirePid();
    this.#input.write(data);
  }

  /** Closes stdin once everything queued has been written: the child sees end-of-file. */
  closeInput(): void {
    this.requirePid();
    this.#input.close();
  }

  /**
   * Sends `signal` (default SIGTERM), to the whole process group when spawned with `detached`.
   * Throws `ECHILD` once the process has been waited for: its pid may belong to another by now.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): void {
    const pid = this.requirePid();
    const valid = validateSignal(signal);
    this.lifecycle.assertRunning(pid, this.#command.name);
    this.#signal(pid, valid);
  }

  /** To the group; a SIGKILL the keeper must pass on, as it would die of it before cleaning up. */
  #signal(pid: number, signal: NodeJS.Signals | number): void {
    if (this.#keeper && isSigkill(signal)) requestFromKeeper(pid, signal);
    else sendSignal({ pid, group: this.#group }, signal);
  }

  /**
   * terminate(): close stdin (when it is a pipe), then SIGTERM, then SIGKILL. With `detached` the
   * signals reach the whole group, and once the leader has exited whatever is left in its group is
   * killed. Without a pid (spawn failed, or not yet reported) there is nothing to signal.
   */
  protected escalation(): EscalationStep[] | null {
    const pid = this.#child?.pid;
    if (pid === undefined) return null;
    const steps: EscalationStep[] = [];
    if (this.#input.isPipe) steps.push({ stage: 'stdin', act: () => this.#input.close() });
    steps.push(
      { stage: 'SIGTERM', act: () => this.#signalIfRunning(pid, 'SIGTERM') },
      { stage: 'SIGKILL', act: () => this.#signalIfRunning(pid, 'SIGKILL') },
    );
    this.#sweepGroupOnExit = this.#group;
    return steps;
  }

  #signalIfRunning(pid: number, signal: NodeJS.Signals): void {
    if (this.lifecycle.isRunning) this.#signal(pid, signal);
  }

  #onExit(status: ExitStatus): void {
    const pid = this.#child?.pid;
    // Why here and not later: the leader has just been reaped (by libuv, or by the pidfd watch of a
    // posix_spawn child) and this runs synchronously after that, before any other callback runs.
    // Linux gives no new process a pid that is still a live process's group id, so while anything
    // is left in the group -pid means exactly that group; once the group is
    // empty, kill(-pid) finds nothing (ESRCH) unless a new process got this pid and made itself a
    // group leader in the microseconds since the reap — the pid counter would have to wrap around.
    // Any later moment (a timer, after the drain) would widen that window without bound.
    // The leader had its chance to stop its children; what is left is not waited for.
    if ((this.#sweepGroupOnExit || this.#killGroupOnExit) && pid !== undefined) {
      sendSignal({ pid, group: true }, 'SIGKILL');
    }
    this.lifecycle.exit(status);
  }

  #fail(error: ProcessError): void {
    this.#spawned.reject(error);
    this.lifecycle.fail(error);
  }

  protected requirePid(): number {
    const failure = this.lifecycle.spawnError;
    if (failure !== null) throw failure;
    const pid = this.#child?.pid;
    if (pid === undefined) {
      // Node reports the reason one tick later; wait() will reject with it.
      throw new ProcessError('ESPAWN', `${JSON.stringify(this.#command.name)} failed to start`, {
        command: this.#command.name,
      });
    }
    return pid;
  }
}

/** The constructor's checks of argv and options, and what to start (the keeper, or the program). */
interface SpawnPlan {
  command: Command;
  keeperSpec: KeeperSpec | null;
  /** The command posix_spawn or child_process starts: the program, or the keeper with it. */
  target: Command;
  spawnOptions: SpawnOptions;
  collect: boolean;
  /** `readBytes` of lent pipes; null: the pipes are not lent. */
  lentReadBytes: number | null;
  highWaterMark: number;
  group: boolean;
  killGroupOnExit: boolean;
  /** Why it cannot start, found before trying (the keeper missing, the program not found). */
  refused: ProcessError | null;
}

/** Throws ProcessError EINVAL for options that can never work; spawn failures are in `refused`. */
function planSpawn(argv: string[] | string, options: ProcessOptions): SpawnPlan {
  const {
    highWaterMark,
    collect = true,
    lendOutput,
    readBytes,
    killGroupOnExit,
    keeper,
    cgroup,
    ...spawnOptions
  } = options;
  const command = parseArgv(argv);
  const keeperSpec = validateKeeper(keeper, cgroup);
  const validHighWaterMark = validateHighWaterMark(highWaterMark);
  const group = spawnOptions.detached === true;
  const validKillGroupOnExit = validateFlag('killGroupOnExit', killGroupOnExit);
  if (validKillGroupOnExit && !group) {
    // Without its own group the child shares ours: there is no group of its to kill.
    throw new ProcessError('EINVAL', 'killGroupOnExit requires detached: true');
  }
  const lend = validateFlag('lendOutput', lendOutput);
  if (readBytes !== undefined && !lend) {
    // Only lent pipes are read by the core itself; Node reads the others 64 KiB at a time.
    throw new ProcessError('EINVAL', 'readBytes requires lendOutput: true');
  }
  if (keeperSpec !== null && !group) {
    // The keeper leads the program's group and session; in ours it would have neither to keep.
    throw new ProcessError('EINVAL', 'keeper requires detached: true');
  }
  // The keeper reports a program it cannot run only as exit status 127: look first, as for PTYs.
  const refused =
    keeperSpec === null
      ? null
      : (keeperUnavailable() ??
        checkCommand(command, directory(spawnOptions.cwd), (spawnOptions.env ?? process.env).PATH));
  return {
    command,
    keeperSpec,
    target: keeperSpec === null ? command : underKeeper(command, keeperSpec),
    spawnOptions,
    collect,
    lentReadBytes: lend ? validateReadBytes(readBytes) : null,
    highWaterMark: validHighWaterMark,
    group,
    killGroupOnExit: validKillGroupOnExit,
    refused,
  };
}

/**
 * Where the core reads `name` from: the pipe, lent in reads of `lendBytes` where the child can (null:
 * not lent). Not a closure in the constructor: its context would keep the spawn plan (the
 * environment included) alive as long as the process.
 */
function outputSource(
  child: Child | null,
  name: OutputStream,
  lendBytes: number | null,
): OutputSource | null {
  return (
    (lendBytes === null ? undefined : child?.lentOutput?.(name, lendBytes)) ??
    pipeSource(child?.[name] ?? null)
  );
}

function directory(cwd: string | URL | undefined): string {
  if (cwd === undefined) return process.cwd();
  return cwd instanceof URL ? fileURLToPath(cwd) : cwd;
}
