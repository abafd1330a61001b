// What the upgrade routes share: an upgrade request that passed the common checks (version, path,
// Host, Origin, credential), and the subprotocol check each route makes last.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SUBPROTOCOL } from '@shellgate/shared';
import type { ErrorCode } from '@shellgate/shared';
import type { Credential } from '../auth/authenticate.js';

export interface Upgrade {
  request: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  url: URL;
  from: string | undefined;
  credential: Credential;
  /** Refuses with an HTTP answer and an `auth-refused` record naming the authenticated token. */
  refuse: (code: ErrorCode, message: string) => void;
}

/** Why the client's offered subprotocols are refused; undefined when it offered ours. */
export function subprotocolRefusal(request: IncomingMessage): string | undefined {
  const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((name) => name.trim());
  return offered.includes(SUBPROTOCOL) ? undefined : `offer the WebSocket subprotocol "${SUBPROTOCOL}"`;
}
