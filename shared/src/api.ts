// HTTP API request bodies (validated on the server) and response shapes.
import { z } from 'zod';
import { REQUEST_LIMITS } from './constants.js';
import { colsSchema, gracePeriodSchema, rowsSchema, signalSchema } from './messages.js';
import { ErrorCode } from './errors.js';
import { profileInfoSchema, sessionInfoSchema, identitySchema, exitStatusSchema } from './session.js';

/** `POST /api/login` */
export const loginRequestSchema = z.strictObject({
  token: z.string().min(1).max(REQUEST_LIMITS.maxTokenLength),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** `POST /api/sessions` */
export const createSessionRequestSchema = z.strictObject({
  profile: z.string().min(1).max(REQUEST_LIMITS.maxProfileNameLength),
  args: z.array(z.string().max(REQUEST_LIMITS.maxArgLength)).max(REQUEST_LIMITS.maxArgs).optional(),
  cols: colsSchema.optional(),
  rows: rowsSchema.optional(),
});
export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>;

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
export const sessionResponseSchema = z.object({ session: sessionInfoSchema });
/** `DELETE /api/sessions/:id`: the exit status and how far termination escalated. */
export const terminateResponseSchema = z.object({
  session: sessionInfoSchema,
  exit: exitStatusSchema,
});
