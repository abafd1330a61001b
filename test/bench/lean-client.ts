// A WebSocket client for throughput measurement that costs as little as a client can: it reads
// frame headers and counts payload bytes without copying or decoding them (only text frames, the
// JSON control messages, are assembled). A `ws` client reassembles every 64 KiB frame that spans
// two socket reads and allocates it anew; on two shared cores that client, not the gateway, set
// the pace — a bench that is slower than the gateway measures the bench.
//
// It speaks just enough of RFC 6455 for a server that never fragments: unmasked server frames,
// masked client frames (ack, pong), no extensions. It keeps its own loop rather than run the shared
// StreamClient, which needs each frame whole (and a WebSocket to assemble it): exactly the copying
// this client exists to avoid. It only ever attaches once, so it needs no cursor or backoff.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { FrameType, SUBPROTOCOL, streamPath } from '@shellgate/shared';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
/** Longest header of a server frame: 2 bytes + 8 of extended length (servers do not mask). */
const MAX_HEADER = 10;

export interface LeanReceipt {
  /** Output payload bytes received (type bytes excluded), counted per complete frame. */
  bytes: number;
  /** Binary frames received. */
  frames: number;
}

/** A masked client frame (clients must mask; the key is random as RFC 6455 asks). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length >= 126) throw new RangeError('lean client frames are small control messages');
  const mask = randomBytes(4);
  const frame = Buffer.allocUnsafe(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i += 1) frame[6 + i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
  return frame;
}

/**
 * Attaches to session `id` and counts its output until the `exit` message, acknowledging every
 * `ackEvery` bytes as a browser client does. Resolves with what arrived.
 */
export function receiveUntilExit(
  baseUrl: string,
  token: string,
  id: string,
  ackEvery: number,
): Promise<LeanReceipt> {
  const url = new URL(baseUrl);
  const key = randomBytes(16).toString('base64');
  const expectedAccept = createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: streamPath(id),
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': key,
        'sec-websocket-version': '13',
        'sec-websocket-protocol': SUBPROTOCOL,
        authorization: `Bearer ${token}`,
      },
    });
    req.once('error', reject);
    req.once('response', (response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    req.once('upgrade', (response, socket: Socket, head: Buffer) => {
      if (response.headers['sec-websocket-accept'] !== expectedAccept) {
        socket.destroy();
        reject(new Error('bad Sec-WebSocket-Accept'));
        return;
      }
      const receipt: LeanReceipt = { bytes: 0, frames: 0 };
      let acked = 0;
      // Parser state: a partial header, or the rest of the current frame's payload.
      let header = Buffer.alloc(0);
      let opcode = 0;
      let remaining = 0;
      let payloadLength = 0;
      let typeChecked = false;
      let text: Buffer[] = [];
      const fail = (error: Error): void => {
        socket.destroy();
        reject(error);
      };
      const frameDone = (): void => {
        if (opcode === OPCODE_BINARY) {
          receipt.bytes += payloadLength - 1;
          receipt.frames += 1;
          if (receipt.bytes - acked >= ackEvery) {
            acked = receipt.bytes;
            socket.write(clientFrame(OPCODE_TEXT, Buffer.from(`{"type":"ack","offset":${acked}}`)));
          }
        } else if (opcode === OPCODE_TEXT) {
          const message = Buffer.concat(text).toString('utf8');
          text = [];
          if (message.includes('"type":"exit"')) {
            socket.end(clientFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8])));
            resolve(receipt);
          } else if (message.includes('"type":"error"')) fail(new Error(`gateway error: ${message}`));
        } else if (opcode === OPCODE_PING) {
          socket.write(clientFrame(OPCODE_PONG, Buffer.concat(text)));
          text = [];
        } else if (opcode === OPCODE_CLOSE) {
          fail(new Error(`closed by the gateway before exit: ${Buffer.concat(text).toString('hex')}`));
        }
      };
      const onData = (chunk: Buffer): void => {
        let at = 0;
        while (at < chunk.length) {
          if (remaining === 0) {
            // A header, perhaps split across reads: only its few bytes are ever copied.
            const take = Math.min(MAX_HEADER - header.length, chunk.length - at);
            const bytes =
              header.length === 0
                ? chunk.subarray(at, at + take)
                : Buffer.concat([header, chunk.subarray(at, at + take)]);
            if (bytes.length < 2) {
              header = Buffer.from(bytes);
              return;
            }
            const first = bytes[0] ?? 0;
            const second = bytes[1] ?? 0;
            if ((first & 0x80) === 0 || (first & 0x0f) === 0) return fail(new Error('fragmented frame'));
            if ((second & 0x80) !== 0) return fail(new Error('masked server frame'));
            const short = second & 0x7f;
            const size = short === 126 ? 4 : short === 127 ? 10 : 2;
            if (bytes.length < size) {
              header = Buffer.from(bytes);
              return;
            }
            opcode = first & 0x0f;
            payloadLength =
              short === 126
                ? bytes.readUInt16BE(2)
                : short === 127
                  ? bytes.readUInt32BE(2) * 2 ** 32 + bytes.readUInt32BE(6)
                  : short;
            at += size - header.length; // the header's bytes that came from this chunk
            header = Buffer.alloc(0);
            remaining = payloadLength;
            typeChecked = false;
            if (remaining === 0) {
              frameDone();
              continue;
            }
          }
          const n = Math.min(remaining, chunk.length - at);
          if (opcode === OPCODE_BINARY) {
            if (!typeChecked) {
              typeChecked = true;
              if (chunk[at] !== FrameType.Stdout)
                return fail(new Error(`unexpected frame type ${chunk[at]}`));
            }
          } else text.push(Buffer.from(chunk.subarray(at, at + n)));
          at += n;
          remaining -= n;
          if (remaining === 0) frameDone();
        }
      };
      socket.on('data', onData);
      socket.once('error', fail);
      socket.once('close', () => reject(new Error('connection closed before exit')));
      if (head.length > 0) onData(head);
    });
    req.end();
  });
}
