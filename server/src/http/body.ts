// Request bodies are `unknown` until a shared schema accepts them.
import { ErrorCode, ProtocolError, SIGNALS, parseWith } from '@shellgate/shared';
import type { z } from 'zod';

export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  // express.json leaves `undefined` when the request had no JSON body.
  return parseWith(schema, body ?? {}, what);
}

/** INVALID_SIGNAL for a signal-shaped value outside the allowlist (before generic validation). */
export function checkSignalName(value: unknown): void {
  if (typeof value === 'object' && value !== null && 'signal' in value && typeof value.signal === 'string') {
    const signal = value.signal;
    if (!(SIGNALS as readonly string[]).includes(signal)) {
      throw new ProtocolError(
        ErrorCode.InvalidSignal,
        `signal ${JSON.stringify(signal.slice(0, 32))} is not allowed; expected one of ${SIGNALS.join(', ')}`,
      );
    }
  }
}
