// Keystroke-sized round trips through a `cat` session on a `ws` client: the echo latency every
// bench that compares a gateway configuration with another one reports.
import { FrameType } from '@shellgate/shared';
import type WebSocket from 'ws';

/**
 * Sends `count` 32-byte stdin frames one at a time on `ws` (attached to a `cat` session), each
 * after the previous one came back, acknowledging every `ackEvery` bytes as a browser does.
 * Resolves with each round trip in microseconds.
 */
export async function echoRoundTrips(ws: WebSocket, count: number, ackEvery: number): Promise<number[]> {
  const payload = Buffer.alloc(33, 0x61);
  payload[0] = FrameType.Stdin;
  const times: number[] = [];
  let received = 0;
  let offset = 0;
  let acked = 0;
  let pending: (() => void) | undefined;
  const onMessage = (data: Buffer, isBinary: boolean): void => {
    if (!isBinary) return;
    received += data.length - 1;
    offset += data.length - 1;
    if (offset - acked >= ackEvery) {
      acked = offset;
      ws.send(`{"type":"ack","offset":${offset}}`);
    }
    if (received >= 32 && pending !== undefined) {
      received -= 32;
      const done = pending;
      pending = undefined;
      done();
    }
  };
  ws.on('message', onMessage);
  for (let i = 0; i < count; i += 1) {
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      pending = resolve;
      ws.send(payload);
    });
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  ws.off('message', onMessage);
  return times;
}
