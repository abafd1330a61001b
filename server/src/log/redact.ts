// Redaction of secrets in log lines, by field name. Tokens, login ids and cookie values are never
// passed to the logger on purpose; this is the net for one that reaches it anyway.
//
// A field named as a secret is replaced wherever it sits, down to REDACT_DEPTH levels of objects
// and arrays (request headers, a config's token list). pino's own path-based redaction re-parsed
// every path on every line: with the paths needed to cover the same places it cost ~75 µs a line,
// a tenth of a short session's whole cost; this walk is a few µs. The caller's object is never
// changed: what holds a secret is copied on the way down.

/** Field names whose values never reach a log line. */
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'token',
  'sha256',
  'password',
  'secret',
  'loginId',
  'cookie',
  'authorization',
  'set-cookie',
]);

export const REDACTED = '[redacted]';

/** Deep enough for a request's headers inside a field, and a config's `tokens[*].token`. */
const REDACT_DEPTH = 4;

/** `value` with every secret field replaced by REDACTED; `value` itself when it holds none. */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > REDACT_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      const redacted = redactSecrets(item, depth + 1);
      if (redacted !== item) (copy ??= [...value])[i] = redacted;
    }
    return (copy ?? value) as T;
  }
  // Errors, Buffers, Dates and the like are serialized by their own rules, not walked.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const fields = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const field = fields[key];
    const redacted = SECRET_FIELDS.has(key) ? REDACTED : redactSecrets(field, depth + 1);
    if (redacted !== field) (copy ??= { ...fields })[key] = redacted;
  }
  return (copy ?? value) as T;
}
