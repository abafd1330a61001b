// The shapes the gateway describes its sessions, profiles and identity with, over HTTP and in
// `hello`/`session` messages.
import { z } from 'zod';
import { MODES, SESSION_INFO_STATES, TERMINATE_STAGES, TOKEN_ROLES } from './constants.js';

export const exitStatusSchema = z.object({
  /** Exit code when the process exited normally, else null. */
  code: z.number().int().nullable(),
  /** Name of the signal that ended the process (`SIGKILL`, …), else null. */
  signal: z.string().nullable(),
});
/** How a process ended: exactly one of `code` and `signal` is set. */
export type ExitStatus = z.infer<typeof exitStatusSchema>;

export const terminalSizeSchema = z.object({
  cols: z.number().int(),
  rows: z.number().int(),
});
export type TerminalSize = z.infer<typeof terminalSizeSchema>;

export const sessionInfoSchema = z.object({
  /** Unguessable id (≥ 128 bits, base64url). */
  id: z.string(),
  profile: z.string(),
  /** The full command line that was started: the profile's argv plus the client's arguments. */
  argv: z.array(z.string()),
  /** Process id on the gateway's host; null before the process started or if it failed to. */
  pid: z.number().int().nullable(),
  mode: z.enum(MODES),
  state: z.enum(SESSION_INFO_STATES),
  /** ISO 8601 time the session was created. */
  startedAt: z.string(),
  /** ISO 8601 time the process exited, else null. */
  exitedAt: z.string().nullable(),
  exit: exitStatusSchema.nullable(),
  /** The furthest stage a termination reached, while terminating or after; else null. */
  terminateStage: z.enum(TERMINATE_STAGES).nullable(),
  /** Terminal size of a PTY session; null for pipe sessions. */
  size: terminalSizeSchema.nullable(),
  /** Bytes of output so far (stdout and stderr together): the offset of the next output byte. */
  outputBytes: z.number().int(),
  /** Clients attached right now. */
  clients: z.number().int(),
  /** Whether the process's stdin is still open. */
  stdinOpen: z.boolean(),
  /** Name of the token that created the session. */
  owner: z.string(),
  /** In fleet mode, the name of the gateway (node) that runs the process; absent otherwise. */
  node: z.string().optional(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const profileInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  argv: z.array(z.string()),
  mode: z.enum(MODES),
  allowArgs: z.boolean(),
});
export type ProfileInfo = z.infer<typeof profileInfoSchema>;

export const nodeInfoSchema = z.object({
  /** The node's configured name (`fleet.node`). */
  name: z.string(),
  /** Where the other nodes reach it. */
  url: z.string(),
  /** `up` while its lease holds; `lost` once it lapsed (its sessions are `lost` too). */
  state: z.enum(['up', 'lost']),
  /** Whether it is the node that answered. */
  self: z.boolean(),
  /** ISO 8601 time the node (re)joined the fleet. */
  joinedAt: z.string(),
  /** ISO 8601 time its lease runs out unless renewed. */
  leaseExpiresAt: z.string(),
});
/** A gateway of a fleet (`GET /api/nodes`). */
export type NodeInfo = z.infer<typeof nodeInfoSchema>;

export const identitySchema = z.object({
  /** The token's name from the configuration (never the token). */
  name: z.string(),
  role: z.enum(TOKEN_ROLES),
});
export type Identity = z.infer<typeof identitySchema>;
