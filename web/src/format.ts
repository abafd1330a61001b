// How session facts read to a person: one place, so the list and the status bar agree.
import type { ExitStatus, SessionInfo } from '@shellgate/shared';

export function describeExit(exit: ExitStatus): string {
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? '?'}`;
}

export function describeState(session: SessionInfo): string {
  switch (session.state) {
    case 'spawning':
      return 'starting';
    case 'running':
      return 'running';
    case 'terminating':
      return session.terminateStage === null ? 'terminating' : `terminating (${session.terminateStage})`;
    case 'exited':
      return session.exit === null ? 'exited' : describeExit(session.exit);
    case 'lost':
      return `lost (node ${session.node ?? '?'} gone)`;
    default: {
      const check: never = session.state;
      return String(check);
    }
  }
}

/** `1h 02m`, `3m 07s`, `12s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad(seconds)}s`;
  return `${seconds}s`;
}

/** Running time of a session: until its exit, or until now. */
export function elapsed(session: SessionInfo, now = Date.now()): string {
  const end = session.exitedAt === null ? now : Date.parse(session.exitedAt);
  return formatDuration(end - Date.parse(session.startedAt));
}

/** A command line as a shell would show it, quoting what needs quoting. */
export function formatArgv(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`))
    .join(' ');
}
