// Request bodies are `unknown` until a shared schema accepts them.
import { parseWith } from '@shellgate/shared';
import type { z } from 'zod';

export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  // express.json leaves `undefined` when the request had no JSON body.
  return parseWith(schema, body ?? {}, what);
}
