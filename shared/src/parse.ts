// Validation at the edge: inbound data is `unknown` until one of these says otherwise. Each failure
// is a ProtocolError whose message names the field and what was wrong with it.
import type { z } from 'zod';
import { SIGNALS } from './constants.js';
import { ErrorCode, ProtocolError } from './errors.js';
import { CLIENT_MESSAGE_TYPES, clientMessageSchema, serverMessageSchema } from './messages.js';
import type { ClientMessage, ServerMessage } from './messages.js';

/** One readable sentence out of a zod error: `field: problem; other: problem`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates `value` against `schema`, or throws INVALID_REQUEST naming `what` and the field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ProtocolError(ErrorCode.InvalidRequest, `invalid ${what}: ${describeIssues(result.error)}`);
  }
  return result.data;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProtocolError(ErrorCode.InvalidRequest, `invalid ${what}: not valid JSON`);
  }
}

function typeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null && 'type' in value ? value.type : undefined;
}

/**
 * INVALID_SIGNAL, naming the allowlist, for a signal name outside it: more useful than the generic
 * schema error. For a `signal` message and the HTTP signal request alike.
 */
export function checkSignalName(value: unknown): void {
  if (typeof value !== 'object' || value === null || !('signal' in value)) return;
  const signal = value.signal;
  if (typeof signal === 'string' && !(SIGNALS as readonly string[]).includes(signal)) {
    throw new ProtocolError(
      ErrorCode.InvalidSignal,
      `signal ${JSON.stringify(signal.slice(0, 32))} is not allowed; expected one of ${SIGNALS.join(', ')}`,
    );
  }
}

/** Parses a client → server text message. */
export function parseClientMessage(text: string): ClientMessage {
  const value = parseJson(text, 'message');
  const type = typeOf(value);
  if (typeof type !== 'string') {
    throw new ProtocolError(ErrorCode.InvalidRequest, 'invalid message: "type" must be a string');
  }
  if (!(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw new ProtocolError(
      ErrorCode.UnknownMessageType,
      `unknown message type "${type.slice(0, 64)}"; expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}`,
    );
  }
  if (type === 'signal') checkSignalName(value);
  if (type === 'ack') {
    const ack = wellFormedAck(value);
    if (ack !== undefined) return ack;
  }
  return parseWith(clientMessageSchema, value, `"${type}" message`);
}

/**
 * An `ack` that the schema would accept, checked by hand; undefined for anything else, which then
 * goes through the schema and its error. Acks are the one message a stream keeps sending (one per
 * quarter window, 4,096 for 256 MiB at the harness's 64 KiB): through zod, a fresh gateway spent
 * ~15–20 ms of its main thread on the first 2,048 and ~40 ms compiling zod's checks while relaying.
 */
function wellFormedAck(value: unknown): ClientMessage | undefined {
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 2) return undefined;
  if (!Object.hasOwn(value, 'type') || !Object.hasOwn(value, 'offset')) return undefined;
  const offset: unknown = (value as { offset: unknown }).offset;
  // Number.isSafeInteger and ≥ 0 is exactly the schema's int, nonnegative, ≤ MAX_SAFE_INTEGER.
  return typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0
    ? { type: 'ack', offset }
    : undefined;
}

/** Parses a server → client text message (for clients: the web app, tests, scripts). */
export function parseServerMessage(text: string): ServerMessage {
  return parseWith(serverMessageSchema, parseJson(text, 'server message'), 'server message');
}
