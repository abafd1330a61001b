// A WebSocket client that does the upgrade with node:http and then only writes: it never reads
// its socket unless told to, playing a peer that stops reading (a stalled tab, a hostile script).
// It speaks just enough of RFC 6455: masked client text frames out, unmasked server frames in.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { SUBPROTOCOL, streamPath, streamQueryString } from '@shellgate/shared';
import type { StreamQuery } from '@shellgate/shared';

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;

/** A masked client frame carrying `text` (clients must mask; the key is random). */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const frame = Buffer.alloc(2 + lengthBytes + 4 + length);
  frame[0] = 0x80 | OPCODE_TEXT;
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, 2 + lengthBytes);
  const start = 2 + lengthBytes + 4;
  for (let i = 0; i < length; i += 1) frame[start + i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
  return frame;
}

export interface RawStream {
  socket: Socket;
  /**
   * Reads again and resolves with the close code of the server's close frame, or null when the
   * connection ended without one.
   */
  drainForCloseCode(): Promise<number | null>;
}

/** Upgrades to session `id`'s stream and stops reading at once. */
export function openNonReading(
  baseUrl: string,
  token: string,
  id: string,
  query: StreamQuery = {},
): Promise<RawStream> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: `${streamPath(id)}${streamQueryString(query)}`,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-version': '13',
        'sec-websocket-protocol': SUBPROTOCOL,
        authorization: `Bearer ${token}`,
      },
    });
    req.once('error', reject);
    req.once('response', (response) => {
      response.resume();
      reject(new Error(`upgrade refused: ${response.statusCode}`));
    });
    req.once('upgrade', (_response, socket: Socket, head: Buffer) => {
      socket.pause();
      socket.on('error', () => undefined);
      const drainForCloseCode = (): Promise<number | null> =>
        new Promise((done) => {
          // Frame headers only; payloads are skipped without being kept.
          let pending = Buffer.from(head);
          let skip = 0;
          let code: number | null = null;
          socket.on('data', (chunk: Buffer) => {
            pending = Buffer.concat([pending, chunk]);
            for (;;) {
              if (skip > 0) {
                const n = Math.min(skip, pending.length);
                pending = pending.subarray(n);
                skip -= n;
                if (skip > 0) return;
              }
              if (pending.length < 2) return;
              const opcode = (pending[0] ?? 0) & 0x0f;
              let length = (pending[1] ?? 0) & 0x7f;
              let at = 2;
              if (length === 126) {
                if (pending.length < 4) return;
                length = pending.readUInt16BE(2);
                at = 4;
              } else if (length === 127) {
                if (pending.length < 10) return;
                length = Number(pending.readBigUInt64BE(2));
                at = 10;
              }
              if (opcode === OPCODE_CLOSE) {
                if (pending.length < at + 2) return;
                code = pending.readUInt16BE(at);
                socket.destroy();
                return;
              }
              pending = pending.subarray(at);
              skip = length;
            }
          });
          socket.once('close', () => done(code));
          socket.resume();
        });
      resolve({ socket, drainForCloseCode });
    });
    req.end();
  });
}
