// How a session starts its process: always through the process core, in its own process group
// (`detached`, so signals and termination reach the whole group) or, for PTY sessions, as the
// leader of a new terminal session; output only to subscribers.
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import type { SessionMode, TerminalSize } from '@shellgate/shared';
import type { SessionContainment } from '../containment/index.js';
import type { Limits } from '../config/limits.js';
import {
  MAX_READ_BYTES,
  Process,
  ProcessError,
  PtyProcess,
  type ProcessErrorCode,
} from '../process/index.js';

type Common = Pick<
  Process,
  | 'pid'
  | 'poll'
  | 'pendingInputBytes'
  | 'write'
  | 'closeInput'
  | 'kill'
  | 'terminate'
  | 'onOutput'
  | 'lendsOutput'
  | 'onExit'
  | 'onProcessExit'
  | 'pauseOutput'
  | 'resumeOutput'
>;

/** A pipe session's reads are never smaller than Node's own. */
const MIN_PIPE_READ_BYTES = 64 * 1024;

/**
 * How much one read of a pipe session's output may take: half the smallest of the window, a
 * viewer's lag and the replay budget, from 64 KiB up to the core's largest read (256 KiB, what the
 * default limits get). A read becomes one frame, and one frame is what each of these bounds may be
 * overshot by (flow-control.ts, docs/configuration.md); larger reads make fewer frames of a flood.
 */
export function pipeReadBytes(
  limits: Pick<Limits, 'flowControlWindowBytes' | 'viewerLagBytes' | 'replayBufferBytes'>,
): number {
  const smallest = Math.min(limits.flowControlWindowBytes, limits.viewerLagBytes, limits.replayBufferBytes);
  return Math.min(MAX_READ_BYTES, Math.max(MIN_PIPE_READ_BYTES, Math.floor(smallest / 2)));
}

/** What a session needs of a process; pipe and PTY processes both offer it. */
export type SessionProcess =
  | (Common & { readonly mode: 'pipe' })
  | (Common & Pick<PtyProcess, 'resize' | 'signalForeground'> & { readonly mode: 'pty' });

export interface ChildSpec {
  argv: string[];
  mode: SessionMode;
  cwd: string | undefined;
  env: Record<string, string>;
  /** Initial terminal size (PTY sessions). */
  size: TerminalSize;
  /** The keeper and cgroup to start it under (containment/); none: only its group or session. */
  containment?: SessionContainment | undefined;
  /** The largest chunk one read of a pipe session's output takes (pipeReadBytes). */
  readBytes: number;
}

/** Starts the child or throws SPAWN_FAILED with the core's sentence naming the problem. */
export async function spawnChild(spec: ChildSpec): Promise<SessionProcess> {
  const contained = spec.containment;
  const started = await spawnContained(spec, { keeper: contained?.keeper, cgroup: contained?.cgroup }).catch(
    async (error: unknown) => {
      await contained?.release();
      throw error;
    },
  );
  // The keeper has killed the rest by then; the cgroup catches anything that got past it.
  if (contained !== undefined) started.onProcessExit(() => void contained.release());
  return started;
}

async function spawnContained(
  spec: ChildSpec,
  containment: { keeper: boolean | undefined; cgroup: string[] | undefined },
): Promise<SessionProcess> {
  try {
    if (spec.mode === 'pty') {
      const pty = await PtyProcess.spawn(spec.argv, {
        cwd: spec.cwd,
        env: spec.env,
        cols: spec.size.cols,
        rows: spec.size.rows,
        name: spec.env.TERM ?? 'xterm-256color',
        collect: false,
        killGroupOnExit: true,
        ...containment,
      });
      return Object.assign(pty, { mode: 'pty' as const });
    }
    const pipe = await Process.spawn(spec.argv, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      collect: false,
      // The stream copies every chunk into its frames: the pipes are read into one reused buffer.
      lendOutput: true,
      readBytes: spec.readBytes,
      // A session is one job: what it leaves behind in its group dies with it.
      killGroupOnExit: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...containment,
    });
    return Object.assign(pipe, { mode: 'pipe' as const });
  } catch (error) {
    if (error instanceof ProcessError) throw new ProtocolError(ErrorCode.SpawnFailed, error.message);
    throw error;
  }
}

/** The core's code of a failed call (ECHILD, ESTDIN_CLOSED, …), if it is one. */
export function processErrorCode(error: unknown): ProcessErrorCode | undefined {
  return error instanceof ProcessError ? error.code : undefined;
}
