// How a session starts its process: always through the process core, in its own process group
// (`detached`, so signals and termination reach the whole group), output only to subscribers.
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import type { SessionMode } from '@shellgate/shared';
import { Process, ProcessError } from '../process/index.js';

/** What a session needs of a process; pipe and PTY processes both offer it. */
export type SessionProcess = Pick<
  Process,
  | 'pid'
  | 'write'
  | 'closeInput'
  | 'kill'
  | 'terminate'
  | 'onOutput'
  | 'onExit'
  | 'pauseOutput'
  | 'resumeOutput'
>;

export interface ChildSpec {
  argv: string[];
  mode: SessionMode;
  cwd: string | undefined;
  env: Record<string, string>;
}

/** Starts the child or throws SPAWN_FAILED with the core's sentence naming the problem. */
export async function spawnChild(spec: ChildSpec): Promise<SessionProcess> {
  if (spec.mode === 'pty') {
    throw new ProtocolError(ErrorCode.SpawnFailed, 'pty sessions are not available in this build');
  }
  try {
    return await Process.spawn(spec.argv, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      collect: false,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    if (error instanceof ProcessError) throw new ProtocolError(ErrorCode.SpawnFailed, error.message);
    throw error;
  }
}

/** The core's code of a failed call (ECHILD, ESTDIN_CLOSED, …), if it is one. */
export function processErrorCode(error: unknown): string | undefined {
  return error instanceof ProcessError ? error.code : undefined;
}
