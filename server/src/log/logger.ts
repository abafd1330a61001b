// The structured log: JSON lines on stderr, written by pino. One object per line: `time` (ISO 8601),
// `level` (its name), `msg`, then fields; a child logger adds its bindings (`session`, `connection`)
// to every line instead of each call repeating them. Anything secret is redacted by name before it
// is written (redact.ts), but the rule stays: identities are logged by their configured name,
// never by a token or a cookie value.
import pino from 'pino';
import { redactSecrets } from './redact.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `bindings` (a session id, a connection id) to every line. */
  child(bindings: LogFields): Logger;
}

export type LineSink = (line: string) => void;

export { REDACTED } from './redact.js';

function serializeError(error: unknown): unknown {
  if (error instanceof Error) {
    const code = 'code' in error ? error.code : undefined;
    return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
  }
  return error;
}

function wrap(logger: pino.Logger): Logger {
  return {
    debug: (msg, fields) => logger.debug(fields ?? {}, msg),
    info: (msg, fields) => logger.info(fields ?? {}, msg),
    warn: (msg, fields) => logger.warn(fields ?? {}, msg),
    error: (msg, fields) => logger.error(fields ?? {}, msg),
    child: (bindings) => wrap(logger.child(bindings)),
  };
}

/** A logger at `level`, writing to stderr (synchronously: nothing is lost at exit) or to `sink`. */
export function createLogger(level: LogLevel, sink?: LineSink): Logger {
  const destination = sink === undefined ? pino.destination({ fd: 2, sync: true }) : { write: sink };
  return wrap(
    pino(
      {
        level,
        base: null,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }), bindings: redactSecrets, log: redactSecrets },
        serializers: { error: serializeError },
      },
      destination,
    ),
  );
}
