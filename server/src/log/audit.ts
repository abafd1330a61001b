// The audit trail: who did what, when, from where. Written to the structured log (with
// `audit: true`) and, when `log.audit` names a file, appended there as JSON lines too.
// Identities appear by their configured name; tokens and login ids never appear.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { Logger } from './logger.js';

export type AuditEvent =
  | 'login'
  | 'login-failed'
  | 'logout'
  | 'auth-refused'
  | 'spawn'
  | 'spawn-failed'
  | 'attach'
  | 'detach'
  | 'signal'
  | 'terminate'
  | 'exit'
  | 'remove'
  | 'close-stdin';

export interface AuditRecord {
  /** Token name, or null when the credential was missing or unknown. */
  who: string | null;
  /** Remote address of the request. */
  from: string | undefined;
  session?: string;
  [field: string]: unknown;
}

export interface Audit {
  record(event: AuditEvent, record: AuditRecord): void;
  close(): Promise<void>;
}

export function createAudit(logger: Logger, file: string | undefined): Audit {
  let stream: WriteStream | undefined;
  if (file !== undefined) {
    stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
    stream.on('error', (error) => logger.error('audit file write failed', { file, error }));
  }
  return {
    record(event, record) {
      logger.info(`audit ${event}`, { audit: true, event, ...record });
      stream?.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...record })}\n`);
    },
    close() {
      return new Promise<void>((resolve) => {
        if (stream === undefined) resolve();
        else stream.end(() => resolve());
      });
    },
  };
}
