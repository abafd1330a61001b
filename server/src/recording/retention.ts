// Which recordings retention removes: first those older than the age limit, then the oldest until
// the total fits. A recording still being written is never removed (it counts towards the total).
// Age and order go by a recording's last write, its end.

export interface RetainedFile {
  id: string;
  bytes: number;
  /** Milliseconds since the epoch of its last write. */
  lastWrite: number;
  /** Still being written. */
  active: boolean;
}

export interface RetentionLimits {
  maxTotalBytes: number;
  /** Undefined: no age limit. */
  maxAgeMs: number | undefined;
}

/** The ids to remove, oldest first. */
export function expiredRecordings(
  files: readonly RetainedFile[],
  limits: RetentionLimits,
  now: number,
): string[] {
  const oldestFirst = [...files].sort((a, b) => a.lastWrite - b.lastWrite);
  const removed: string[] = [];
  let total = oldestFirst.reduce((sum, file) => sum + file.bytes, 0);
  for (const file of oldestFirst) {
    if (file.active) continue;
    const tooOld = limits.maxAgeMs !== undefined && now - file.lastWrite > limits.maxAgeMs;
    if (tooOld || total > limits.maxTotalBytes) {
      removed.push(file.id);
      total -= file.bytes;
    }
  }
  return removed;
}
