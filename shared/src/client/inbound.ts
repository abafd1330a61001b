// One inbound WebSocket message, read: a server message, a binary frame, or something unreadable
// (turned into an `error` message so the consumer can show it rather than the client throwing).
import { ProtocolError } from '../errors.js';
import { decodeFrame } from '../frames.js';
import type { Frame } from '../frames.js';
import type { ServerMessage } from '../messages.js';
import { parseServerMessage } from '../parse.js';

export type Inbound =
  | { readonly kind: 'message'; readonly message: ServerMessage }
  | { readonly kind: 'frame'; readonly frame: Frame }
  | { readonly kind: 'unreadable'; readonly error: Extract<ServerMessage, { type: 'error' }> };

function explain(error: unknown): string {
  return error instanceof ProtocolError ? error.message : String(error);
}

export function readInbound(data: string | Uint8Array): Inbound {
  if (typeof data === 'string') {
    try {
      return { kind: 'message', message: parseServerMessage(data) };
    } catch (error) {
      const message = `unreadable message from the gateway: ${explain(error)}`;
      return { kind: 'unreadable', error: { type: 'error', code: 'INTERNAL', message } };
    }
  }
  try {
    return { kind: 'frame', frame: decodeFrame(data) };
  } catch (error) {
    const message = `from the gateway: ${explain(error)}`;
    return { kind: 'unreadable', error: { type: 'error', code: 'INVALID_FRAME', message } };
  }
}
