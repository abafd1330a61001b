// JSON-lines structured log on stderr: one object per line, `time`, `level`, `msg`, then fields.
// Never pass a token or a cookie value here; identities are logged by their configured name.
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export type LineSink = (line: string) => void;

function serializeError(error: unknown): unknown {
  if (error instanceof Error) {
    const code = 'code' in error ? error.code : undefined;
    return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
  }
  return error;
}

export function createLogger(level: LogLevel, sink: LineSink = (line) => process.stderr.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const write = (at: Exclude<LogLevel, 'silent'>, msg: string, fields: LogFields = {}): void => {
    if (LOG_LEVELS.indexOf(at) < threshold) return;
    const entry: LogFields = { time: new Date().toISOString(), level: at, msg };
    for (const [key, value] of Object.entries(fields))
      entry[key] = key === 'error' ? serializeError(value) : value;
    sink(`${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
