// The gateway's audit records as a test reads them: JSON lines with an "event" field, on its stderr
// (or in an audit file, given its lines).
import { eventually } from './eventually.js';

export type AuditRecord = Record<string, unknown>;

/** The records of `event` among JSON log `lines`, parsed. */
export function auditRecordsIn(lines: readonly string[], event: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const line of lines) {
    if (!line.includes(`"event":"${event}"`)) continue;
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null) records.push(Object.fromEntries(Object.entries(value)));
  }
  return records;
}

/** The gateway's audit records of `event` logged so far (on its log they carry `audit: true`). */
export function auditRecords(gateway: { stderr: readonly string[] }, event: string): AuditRecord[] {
  return auditRecordsIn(gateway.stderr, event).filter((record) => record.audit === true);
}

/**
 * The gateway's audit records of `event` that match, once at least `count` of them were logged
 * (a record is written after the answer the test waited for, so it may not be there yet).
 */
export function waitForAuditRecords(
  gateway: { stderr: readonly string[] },
  event: string,
  matches: (record: AuditRecord) => boolean,
  { count = 1, timeoutMs = 5_000 }: { count?: number; timeoutMs?: number } = {},
): Promise<AuditRecord[]> {
  return eventually(
    `${count === 1 ? 'a matching' : `${count} matching`} "${event}" audit record${count === 1 ? '' : 's'}`,
    () => {
      const records = auditRecords(gateway, event).filter(matches);
      return records.length >= count ? records : undefined;
    },
    timeoutMs,
  );
}
