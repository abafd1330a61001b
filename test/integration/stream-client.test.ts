// The shared StreamClient, on a Node `ws` socket, against a real gateway through a TCP relay that
// the test cuts mid-stream: it reconnects by itself and hands on every byte exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SUBPROTOCOL, StreamClient, streamUrl } from '@shellgate/shared';
import type { StopReason } from '@shellgate/shared';
import WebSocket from 'ws';
import { startGateway } from '../helpers/gateway.js';
import type { Gateway } from '../helpers/gateway.js';
import { waitForGroupsGone } from '../helpers/leaks.js';
import { sh, startedGroups } from '../helpers/sessions.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import type { TcpProxy } from '../helpers/tcp-proxy.js';
import { nodeScheduler, wsStreamSocket } from '../helpers/ws-socket.js';

const LINE_COUNT = 60_000; // ~710 KB
const LINES = `i=0; while [ $i -lt ${LINE_COUNT} ]; do echo "line $i"; i=$((i+1)); done`;
/** Cut the relay each time this many more bytes have arrived. */
const CUT_EVERY = 80_000;
/**
 * What the old connection may still deliver after a cut is bounded by the flow-control window, so
 * cuts come at most CUT_EVERY + WINDOW + one frame (64 KiB) apart: four fit in LINE_COUNT's output
 * however the reads fall. With the default 512 KiB window, a slow reconnect let the old connection
 * deliver nearly everything, and only two cuts happened.
 */
const WINDOW = 64 * 1024;

let gateway: Gateway;
let proxy: TcpProxy;

before(async () => {
  gateway = await startGateway({ config: { limits: { flowControlWindowBytes: WINDOW } } });
  proxy = await startTcpProxy(gateway.port);
});

after(async () => {
  await proxy.close();
  await gateway.stop();
  assert.deepEqual(await waitForGroupsGone(startedGroups), []);
});

function expectedLines(): string {
  let text = '';
  for (let i = 0; i < LINE_COUNT; i += 1) text += `line ${i}\n`;
  return text;
}

describe('the shared stream client against a real gateway', () => {
  test('connections cut mid-stream are resumed and every byte arrives exactly once', async () => {
    const session = await sh(gateway, LINES);
    const client = new StreamClient({
      scheduler: nodeScheduler,
      role: 'control',
      open: (query) =>
        wsStreamSocket(
          new WebSocket(streamUrl(proxy.url, session.id, query), [SUBPROTOCOL], {
            headers: { authorization: `Bearer ${gateway.operatorToken}` },
            perMessageDeflate: false,
          }),
        ),
    });
    const chunks: Buffer[] = [];
    let received = 0;
    let nextCut = CUT_EVERY;
    let cuts = 0;
    const resumes: boolean[] = [];
    // One cut per connection: frames read before the cut still arrive on the old one.
    let armed = false;
    client.onHello((_message, resumed) => {
      resumes.push(resumed);
      armed = true;
    });
    client.onOutput((_stream, bytes, end) => {
      chunks.push(Buffer.from(bytes));
      received += bytes.byteLength;
      assert.equal(client.resumeOffset, end);
      // Ack once the bytes are "written out", as a terminal or a CLI writing to stdout would.
      setImmediate(() => client.processed(end));
      if (armed && received >= nextCut) {
        armed = false;
        nextCut = received + CUT_EVERY;
        cuts += 1;
        proxy.cut();
      }
    });
    // A client that wants only the output and the exit status leaves once `exit` has arrived: the
    // gateway keeps a stream open until the session is removed (docs/protocol.md, "After exit").
    const ended = new Promise<'exit' | StopReason>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no exit after 60 s; ${received} bytes so far`)),
        60_000,
      );
      const settle = (outcome: 'exit' | StopReason): void => {
        clearTimeout(timer);
        resolve(outcome);
      };
      client.onMessage((message) => {
        if (message.type === 'exit') settle('exit');
      });
      client.onStop(settle);
    });
    client.start();
    try {
      assert.equal(await ended, 'exit');
    } finally {
      client.dispose();
    }
    const text = Buffer.concat(chunks).toString('utf8');
    assert.equal(text.length, expectedLines().length, 'no byte lost or repeated');
    assert.ok(text === expectedLines(), 'every line once, in order');
    assert.ok(cuts >= 3, `the relay was cut ${cuts} times`);
    // The last cut may come after the old connection already read the exit: no reconnect then.
    assert.ok(resumes.length >= cuts, `${resumes.length} connections for ${cuts} cuts`);
    assert.deepEqual(
      resumes,
      [false, ...Array<boolean>(resumes.length - 1).fill(true)],
      'each reconnect resumed',
    );
    assert.equal(client.exited, true);
  });
});
