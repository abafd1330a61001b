// Starting a program on a new pseudo-terminal with the spawn addon (server/native/terminal.c and
// spawn.c), not node-pty's forkpty(3):
//  - the gateway is not forked: forkpty copied its page tables on the event loop, ~3 ms per
//    terminal at 110 MiB resident and more as it grows, with every other session stopped meanwhile.
//    posix_spawn borrows the gateway's memory until exec, on a libuv worker thread (the async form);
//  - the master is close-on-exec from the moment it exists, so no program started meanwhile can
//    inherit another session's terminal;
//  - the exit is watched through a pidfd on the event loop, not by a thread per terminal;
//  - nothing is read from node-pty's private fields, and its timer that destroyed unread output 200
//    ms after an exit is gone with it.
import type { Command } from './command.js';
import { loadNative } from './native.js';
import { PtyMaster, type PtyMasterAddon } from './pty-master.js';
import { signalName } from './signal.js';
import type { ExitStatus } from './types.js';

type Started = [pid: number, pidfd: number, master: number, input: number];

interface TerminalAddon extends PtyMasterAddon {
  spawnTerminal(
    file: string,
    args: string[],
    env: string[],
    cwd: string,
    cols: number,
    rows: number,
  ): Started;
  spawnTerminalAsync(
    ...args: [
      ...Parameters<TerminalAddon['spawnTerminal']>,
      callback: (error: Error | null, started: Started | null) => void,
    ]
  ): void;
  watchExit(pidfd: number, pid: number, onExit: (code: number | null, signal: number | null) => void): void;
}

let addon: TerminalAddon | Error | undefined;

/** The addon, or the error that says why it cannot be loaded (not built: npm ci builds it). */
export function terminalAddon(): TerminalAddon | Error {
  addon ??= loadNative<TerminalAddon>('spawn', [
    'spawnTerminal',
    'spawnTerminalAsync',
    'watchExit',
    'resizeTerminal',
    'releaseFd',
    'openWriter',
    'writePipe',
    'waitWritable',
    'closeWriter',
  ]);
  return addon;
}

export interface TerminalSpec {
  command: Command;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** $TERM */
  name: string;
  cols: number;
  rows: number;
}

/** A program on its terminal: the leader of the terminal's session. */
export class TerminalChild {
  readonly pid: number;
  readonly master: PtyMaster;
  #status: ExitStatus | null = null;
  #onExit: ((status: ExitStatus) => void) | null = null;

  constructor(pid: number, master: PtyMaster) {
    this.pid = pid;
    this.master = master;
  }

  /** Calls `listener` once the program has exited and was reaped (at once if it already was). */
  onExit(listener: (status: ExitStatus) => void): void {
    if (this.#status !== null) listener(this.#status);
    else this.#onExit = listener;
  }

  /** @internal */
  exited(code: number | null, signal: number | null): void {
    this.#status = { code, signal: signal === null ? null : signalName(signal) };
    this.#onExit?.(this.#status);
  }
}

/**
 * The addon's arguments: the environment as node-pty and terminal emulators give it ($TERM, $PWD,
 * and without the variables that describe the gateway's own terminal when it is the gateway's).
 */
function spawnArgs(spec: TerminalSpec): Parameters<TerminalAddon['spawnTerminal']> {
  const inherited = spec.env === process.env;
  const env: string[] = [];
  for (const [name, value] of Object.entries(spec.env)) {
    if (value === undefined || name === 'TERM' || name === 'PWD') continue;
    if (inherited && GATEWAY_TERMINAL_VARIABLES.has(name)) continue;
    env.push(`${name}=${value}`);
  }
  env.push(`TERM=${spec.name}`, `PWD=${spec.cwd}`);
  const { file, args } = spec.command;
  return [file, [file, ...args], env, spec.cwd, spec.cols, spec.rows];
}

/** What describes the terminal (or multiplexer) the gateway itself may run in, not the session's. */
const GATEWAY_TERMINAL_VARIABLES = new Set([
  'TMUX',
  'TMUX_PANE',
  'STY',
  'WINDOW',
  'WINDOWID',
  'TERMCAP',
  'COLUMNS',
  'LINES',
]);

/** Wraps what the addon started and watches its exit. */
function adopt(native: TerminalAddon, file: string, started: Started): TerminalChild {
  const [pid, pidfd, masterFd, inputFd] = started;
  const child = new TerminalChild(pid, new PtyMaster(masterFd, inputFd, native));
  // On failure the addon has killed and reaped the program; its terminal closes with the stream.
  try {
    native.watchExit(pidfd, pid, (code, signal) => child.exited(code, signal));
  } catch (error) {
    child.master.source.destroy();
    child.master.discardInput();
    throw Object.assign(new Error(`spawn ${file}: cannot watch its exit`, { cause: error }), {
      code: 'EIO',
      syscall: `spawn ${file}`,
    });
  }
  return child;
}

/**
 * Starts the program on a new terminal. Throws the addon's error (with `syscall` `spawn <file>` and
 * an errno `code`) when it could not start, or the loading error when there is no addon.
 */
export function startTerminal(terminal: TerminalSpec): TerminalChild {
  const native = terminalAddon();
  if (native instanceof Error) throw native;
  return adopt(native, terminal.command.file, native.spawnTerminal(...spawnArgs(terminal)));
}

/** startTerminal with the spawn on a worker thread: the event loop goes on while the program starts. */
export function startTerminalAsync(terminal: TerminalSpec): Promise<TerminalChild> {
  const native = terminalAddon();
  if (native instanceof Error) return Promise.reject(native);
  return new Promise((resolve, reject) => {
    native.spawnTerminalAsync(...spawnArgs(terminal), (error, started) => {
      if (error !== null || started === null) {
        reject(error ?? new Error(`spawn ${terminal.command.file}: no result`));
        return;
      }
      try {
        resolve(adopt(native, terminal.command.file, started));
      } catch (adoptError) {
        reject(adoptError instanceof Error ? adoptError : new Error(String(adoptError)));
      }
    });
  });
}
