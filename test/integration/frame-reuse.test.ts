// Output frames are reused once nothing reads them (server/src/sessions/frame-pool.ts): the replay
// buffer lets a frame go when it evicts it, a socket when its write is done. A viewer whose socket
// stops reading keeps megabytes of frames queued in the gateway after the replay buffer has moved
// on; those frames must reach it unchanged, whatever the pool handed out meanwhile.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { useGateway } from '../helpers/fixture.ts';
import { sh } from '../helpers/sessions.ts';
import { connect } from '../helpers/ws-client.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const SCRIPT = 'seq 1 1500000'; // ~10 MiB of distinct lines: a reused frame would show as wrong lines
const expected = execFileSync('sh', ['-c', SCRIPT], { maxBuffer: 64 * MiB });

const gateway = useGateway({
  config: {
    limits: {
      // The replay buffer moves on after a few frames; the viewer may be sent all of the output,
      // most of which waits in its socket's queue in the gateway, not in the kernel.
      replayBufferBytes: 256 * KiB,
      flowControlWindowBytes: 256 * KiB,
      viewerLagBytes: 24 * MiB,
      maxClientBacklogBytes: 64 * MiB,
    },
  },
});

test('a viewer that stops reading gets its queued frames unchanged while the replay buffer reuses frames', async () => {
  const session = await sh(gateway, 'sleep 0.5; ' + SCRIPT);
  const viewer = await connect(gateway.url, session.id, {
    token: gateway.operatorToken,
    role: 'view',
    offset: 0,
  });
  const control = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: 0 });
  try {
    viewer.ws.pause(); // its socket stops reading: what the gateway sends it waits there
    await control.nextMessage('exit', 60_000);
    assert.equal(Buffer.compare(control.output(), expected), 0, 'the control client got every byte');

    viewer.ws.resume();
    await viewer.nextMessage('exit', 60_000);
    // Every byte the viewer got sits at its offset in the output; a gap skips what left the buffer.
    let at = 0;
    let checked = 0;
    for (const event of viewer.events) {
      if (event.kind === 'message' && event.message.type === 'gap') at = event.message.to;
      if (event.kind !== 'output') continue;
      const { data } = event.chunk;
      assert.equal(Buffer.compare(data, expected.subarray(at, at + data.length)), 0, `bytes at ${at}`);
      at += data.length;
      checked += data.length;
    }
    assert.equal(at, expected.length);
    // Far more than the replay buffer and the kernel's socket buffers: frames that were queued.
    assert.ok(checked >= 8 * MiB, `the viewer got ${checked} bytes before and after its gap`);
  } finally {
    await viewer.close();
    await control.close();
  }
});
