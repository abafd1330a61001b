// The stream URL's query (`?offset=N&role=control|view&input=S`), validated the same way everywhere.
import { z } from 'zod';
import { ROLES } from './constants.js';

/** A decimal integer string from 0 to 2^53 - 1 (no sign, exponent or fraction; at most 16 digits). */
const decimal = z
  .string()
  .regex(/^\d{1,16}$/, 'must be a decimal integer')
  .transform(Number)
  .refine(Number.isSafeInteger, 'must be at most 2^53 - 1');

/**
 * `offset`: where the output should start (a huge number is refused rather than rounded). `role`:
 * `control` or `view`. `input`: also send the `input` messages of a pipe session, from the one
 * numbered S on (docs/protocol.md, "Input"); absent, none are sent. All optional. Whether the
 * offset is within the session's output is the gateway's to check.
 */
export const streamQuerySchema = z.object({
  offset: decimal.optional(),
  role: z.enum(ROLES).optional(),
  input: decimal.optional(),
});
export type StreamQuery = z.output<typeof streamQuerySchema>;

/** The query's fields from URLSearchParams (or anything with its `get`): the first value wins. */
export function streamQueryInput(params: { get(name: string): string | null }): {
  offset: string | undefined;
  role: string | undefined;
  input: string | undefined;
} {
  return {
    offset: params.get('offset') ?? undefined,
    role: params.get('role') ?? undefined,
    input: params.get('input') ?? undefined,
  };
}
