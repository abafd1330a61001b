// The audit trail: who did what, when, from where. Written to the structured log (with
// `audit: true`) and, when `log.audit` names a file, appended there as JSON lines too.
// Identities appear by their configured name; tokens and login ids never appear. Refusals are
// bounded per client address (see throttle.ts), so an unauthenticated client cannot fill the disk.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { Logger } from './logger.js';
import { AddressThrottle } from './throttle.js';

/** `auth-refused` records written per client address per window; then one summary. */
const REFUSALS_PER_WINDOW = 20;
const REFUSAL_WINDOW_MS = 60_000;
const MAX_REFUSING_ADDRESSES = 10_000;
/** A refused request's `Origin` is the client's to choose: records keep this much of it. */
const MAX_AUDITED_ORIGIN_CHARS = 200;

/** The `origin` field of a record: the request's Origin header, cut to a bound; null without one. */
export function auditedOrigin(origin: string | undefined): string | null {
  return origin === undefined ? null : origin.slice(0, MAX_AUDITED_ORIGIN_CHARS);
}

export type AuditEvent =
  | 'login'
  | 'login-failed'
  | 'logout'
  | 'auth-refused'
  /** `auth-refused` records left out for one address in one window. */
  | 'auth-refused-suppressed'
  /** A client whose unsent backlog passed `limits.maxClientBacklogBytes` (closed with 4009). */
  | 'client-not-reading'
  | 'spawn'
  | 'spawn-failed'
  | 'attach'
  | 'detach'
  | 'signal'
  | 'terminate'
  | 'exit'
  | 'remove'
  | 'close-stdin'
  /** A recording was downloaded (GET /api/recordings/:id). */
  | 'recording-download'
  /** A recording was deleted (DELETE /api/recordings/:id). */
  | 'recording-delete'
  /** A share link was created, opened, refused, revoked, or ended (docs/sharing.md). */
  | 'share-create'
  | 'share-open'
  | 'share-open-refused'
  | 'share-revoke'
  | 'share-ended';

export interface AuditRecord {
  /** Token name, or null when the credential was missing or unknown. */
  who: string | null;
  /** Remote address of the request; null (written) or undefined (given) when the gateway acted. */
  from: string | null | undefined;
  session?: string;
  [field: string]: unknown;
}

export interface Audit {
  record(event: AuditEvent, record: AuditRecord): void;
  close(): Promise<void>;
}

/**
 * `copy`, when given, receives every record written (not the suppressed refusals): fleet mode
 * copies them to the fleet's audit table (docs/fleet.md).
 */
export function createAudit(
  logger: Logger,
  file: string | undefined,
  copy?: (event: AuditEvent, record: AuditRecord) => void,
): Audit {
  let stream: WriteStream | undefined;
  if (file !== undefined) {
    stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
    stream.on('error', (error) => logger.error('audit file write failed', { file, error }));
  }
  const write = (event: AuditEvent, fields: AuditRecord): void => {
    // `from` is null, not left out, when the gateway itself acted (an idle timeout, a removal).
    const record: AuditRecord = { ...fields, from: fields.from ?? null };
    logger.info(`audit ${event}`, { audit: true, event, ...record });
    stream?.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...record })}\n`);
    copy?.(event, record);
  };
  const refusals = new AddressThrottle(
    { perWindow: REFUSALS_PER_WINDOW, windowMs: REFUSAL_WINDOW_MS, maxAddresses: MAX_REFUSING_ADDRESSES },
    (from, suppressed, since) =>
      write('auth-refused-suppressed', { who: null, from, suppressed, since: new Date(since).toISOString() }),
  );
  // Summaries of windows that ended with nobody refused since are written within a window or two.
  const sweep = setInterval(() => refusals.flush(), REFUSAL_WINDOW_MS);
  sweep.unref();
  return {
    record(event, record) {
      if (event === 'auth-refused' && !refusals.admit(record.from ?? undefined)) return;
      write(event, record);
    },
    close() {
      clearInterval(sweep);
      refusals.flush(Number.POSITIVE_INFINITY);
      return new Promise<void>((resolve) => {
        if (stream === undefined) resolve();
        else stream.end(() => resolve());
      });
    },
  };
}
