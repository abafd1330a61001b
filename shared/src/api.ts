// HTTP API request bodies (validated on the server) and response shapes.
import { z } from 'zod';
import { REQUEST_LIMITS } from './constants.js';
import { colsSchema, gracePeriodSchema, rowsSchema, signalSchema } from './messages.js';
import { ErrorCode } from './errors.js';
import { parseWith } from './parse.js';
import {
  profileInfoSchema,
  sessionInfoSchema,
  identitySchema,
  exitStatusSchema,
  nodeInfoSchema,
} from './session.js';

/** `POST /api/login` */
export const loginRequestSchema = z.strictObject({
  token: z.string().min(1).max(REQUEST_LIMITS.maxTokenLength),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** A fleet node's name (`fleet.node`): what `POST /api/sessions` takes as `node`. */
export const nodeNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a node name of letters, digits, ".", "_", "-"');

/** `POST /api/sessions` */
export const createSessionRequestSchema = z.strictObject({
  profile: z.string().min(1).max(REQUEST_LIMITS.maxProfileNameLength),
  args: z.array(z.string().max(REQUEST_LIMITS.maxArgLength)).max(REQUEST_LIMITS.maxArgs).optional(),
  cols: colsSchema.optional(),
  rows: rowsSchema.optional(),
  /** Fleet mode: the node to run it on (default: the node asked). */
  node: nodeNameSchema.optional(),
});
export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>;

/** What the query parsers read of a `URLSearchParams` (shared compiles without DOM or Node types). */
export interface QueryParams {
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string): boolean;
}

/**
 * The exec upgrade's query: `profile`, one `arg` per argument (in order), `cols`, `rows`, `node` —
 * the fields of `POST /api/sessions`, checked by the same schema.
 */
export function parseExecQuery(params: QueryParams): CreateSessionRequest {
  const size = (name: 'cols' | 'rows'): number | undefined => {
    const text = params.get(name);
    if (text === null) return undefined;
    return /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  };
  const args = params.getAll('arg');
  return parseWith(
    createSessionRequestSchema,
    {
      profile: params.get('profile') ?? undefined,
      ...(args.length > 0 ? { args } : {}),
      ...(params.has('cols') ? { cols: size('cols') } : {}),
      ...(params.has('rows') ? { rows: size('rows') } : {}),
      ...(params.has('node') ? { node: params.get('node') } : {}),
    },
    'exec query',
  );
}

/** `POST /api/sessions/:id/signal` */
export const signalRequestSchema = z.strictObject({ signal: signalSchema });
export type SignalRequest = z.infer<typeof signalRequestSchema>;

/** `DELETE /api/sessions/:id` (optional body; `?gracePeriodMs=` works too) */
export const terminateRequestSchema = z.strictObject({ gracePeriodMs: gracePeriodSchema.optional() });
export type TerminateRequest = z.infer<typeof terminateRequestSchema>;

/** Every HTTP error body. */
export const errorBodySchema = z.object({
  error: z.object({ code: z.enum(ErrorCode), message: z.string() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const whoamiResponseSchema = identitySchema;
export const profilesResponseSchema = z.object({ profiles: z.array(profileInfoSchema) });
export const sessionsResponseSchema = z.object({ sessions: z.array(sessionInfoSchema) });
/** `GET /api/nodes` */
export const nodesResponseSchema = z.object({ nodes: z.array(nodeInfoSchema) });
export const sessionResponseSchema = z.object({ session: sessionInfoSchema });
/** `DELETE /api/sessions/:id`: the exit status and how far termination escalated. */
export const terminateResponseSchema = z.object({
  session: sessionInfoSchema,
  exit: exitStatusSchema,
});
