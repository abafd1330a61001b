// WebSocket text messages (JSON with a `type`), both directions. Binary frames are in frames.ts.
import { z } from 'zod';
import {
  PROTOCOL_VERSION,
  REQUEST_LIMITS,
  ROLES,
  SIGNALS,
  TERMINAL_LIMITS,
  TERMINATE_STAGES,
} from './constants.js';
import { ErrorCode } from './errors.js';
import { sessionInfoSchema } from './session.js';

const offset = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const colsSchema = z.number().int().min(TERMINAL_LIMITS.minCols).max(TERMINAL_LIMITS.maxCols);
export const rowsSchema = z.number().int().min(TERMINAL_LIMITS.minRows).max(TERMINAL_LIMITS.maxRows);
export const signalSchema = z.enum(SIGNALS);
export const gracePeriodSchema = z.number().int().nonnegative().max(REQUEST_LIMITS.maxGracePeriodMs);

// ---- client → server ------------------------------------------------------------------------

export const clientMessageSchema = z.discriminatedUnion('type', [
  /** Text for stdin, encoded as UTF-8 (binary frames 0x00 carry raw bytes). */
  z.strictObject({ type: z.literal('input'), data: z.string() }),
  /** Close the process's stdin once everything queued is written (EOF on a PTY). */
  z.strictObject({ type: z.literal('close-stdin') }),
  /** Send a signal from the allowlist to the session's process group. */
  z.strictObject({ type: z.literal('signal'), signal: signalSchema }),
  /** Terminate with escalation: close stdin, SIGTERM, SIGKILL, each after the grace period. */
  z.strictObject({ type: z.literal('terminate'), gracePeriodMs: gracePeriodSchema.optional() }),
  /** Change the terminal size of a PTY session. */
  z.strictObject({ type: z.literal('resize'), cols: colsSchema, rows: rowsSchema }),
  /** The client has processed every output byte before `offset` (flow control). */
  z.strictObject({ type: z.literal('ack'), offset }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
/** Read off the schema, so a message added there is never refused as unknown. */
export const CLIENT_MESSAGE_TYPES: readonly ClientMessageType[] = clientMessageSchema.options.map(
  (option) => option.shape.type.value,
);

// ---- server → client ------------------------------------------------------------------------

export const serverMessageSchema = z.discriminatedUnion('type', [
  /**
   * First message on every connection. `offset` is the stream offset of the first output byte that
   * follows. With `snapshot: true`, a Snapshot frame (0x03) comes next and stands for all output
   * before `offset`.
   */
  z.object({
    type: z.literal('hello'),
    protocol: z.literal(PROTOCOL_VERSION),
    session: sessionInfoSchema,
    role: z.enum(ROLES),
    offset,
    snapshot: z.boolean(),
    /**
     * Output this client may leave unacknowledged: past it a control client's process is paused
     * and a viewer is skipped ahead with a `gap`. Clients ack a quarter of it at a time. Gateways
     * before it was added do not send it.
     */
    window: z.number().int().positive().optional(),
  }),
  /** Output in [from, to) could not be replayed (dropped from the replay buffer). Never silent. */
  z.object({ type: z.literal('gap'), from: offset, to: offset }),
  /** A termination step as it is taken. */
  z.object({ type: z.literal('terminating'), stage: z.enum(TERMINATE_STAGES) }),
  /** The process exited. Sent after the last output byte. */
  z.object({ type: z.literal('exit'), code: z.number().int().nullable(), signal: z.string().nullable() }),
  /** The session changed (state, attached clients, terminal size, stdin closed). */
  z.object({ type: z.literal('session'), session: sessionInfoSchema }),
  /**
   * What a control client sent to a pipe session's stdin (UTF-8, invalid bytes replaced), only to
   * clients that asked with `?input=N`: `seq` numbers every input of the session from 0, `at` is
   * the output offset it came at (it goes before the output from `at` on). Not counted in offsets.
   */
  z.object({ type: z.literal('input'), seq: offset, at: offset, data: z.string() }),
  /** A request of this client failed; nothing else changed. */
  z.object({ type: z.literal('error'), code: z.enum(ErrorCode), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ServerMessageType = ServerMessage['type'];
