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

type Level = Exclude<LogLevel, 'silent'>;

/**
 * A Logger over pino. A child (every session and connection has one) is made lazily: pino's own
 * child is created at its first line, which most never write — about 0.7 KiB each otherwise, for
 * as long as the session or connection lasts. The methods live on the prototype, not in closures,
 * for the same reason.
 */
class PinoLogger implements Logger {
  /** A child's pino logger, once made. */
  #child: pino.Logger | undefined;

  constructor(
    /** The root logger: its level decides what is written, for its children too. */
    private readonly root: pino.Logger,
    /** The root logger itself, or the logger this one is a child of. */
    private readonly parent: pino.Logger | PinoLogger,
    private readonly bindings: LogFields = {},
  ) {}

  debug(msg: string, fields?: LogFields): void {
    this.#write('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.#write('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.#write('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.#write('error', msg, fields);
  }

  child(bindings: LogFields): Logger {
    return new PinoLogger(this.root, this, bindings);
  }

  #write(level: Level, msg: string, fields: LogFields | undefined): void {
    if (!this.root.isLevelEnabled(level)) return;
    this.#logger()[level](fields ?? {}, msg);
  }

  #logger(): pino.Logger {
    const parent = this.parent;
    if (!(parent instanceof PinoLogger)) return parent;
    this.#child ??= parent.#logger().child(this.bindings);
    return this.#child;
  }
}

/** A logger at `level`, writing to stderr (synchronously: nothing is lost at exit) or to `sink`. */
export function createLogger(level: LogLevel, sink?: LineSink): Logger {
  const destination = sink === undefined ? pino.destination({ fd: 2, sync: true }) : { write: sink };
  const root = pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), bindings: redactSecrets, log: redactSecrets },
      serializers: { error: serializeError },
    },
    destination,
  );
  return new PinoLogger(root, root);
}
