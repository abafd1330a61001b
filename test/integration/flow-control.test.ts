// Flow control: a control client that does not ack pauses the child (the child blocks, nothing is
// lost, gateway memory stays bounded); a lagging viewer never stalls anyone and skips ahead.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { useGateway } from '../helpers/fixture.js';
import { api } from '../helpers/http.js';
import { residentBytes } from '../helpers/leaks.js';
import { createSession, getSession, sh } from '../helpers/sessions.js';
import { connect } from '../helpers/ws-client.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const WINDOW = 128 * KiB;
const VIEWER_LAG = 64 * KiB;
const REPLAY = 256 * KiB;
/** Pinned bytes may hold the replay buffer over its budget by one frame, ≤ 64 KiB (docs/configuration.md). */
const ONE_READ = 64 * KiB;
/** One frame (a pipe read, or reads gathered, ≤ 64 KiB): what the window or a viewer's lag may overshoot by. */
const CHUNK = 64 * KiB;

const gateway = useGateway({
  config: {
    profiles: { zero: { argv: ['cat', '/dev/zero'], mode: 'pipe' } },
    limits: { flowControlWindowBytes: WINDOW, viewerLagBytes: VIEWER_LAG, replayBufferBytes: REPLAY },
  },
});

describe('flow control', () => {
  test('hello tells each client its window: the flow-control window to control, the lag limit to viewers', async () => {
    const session = await createSession(gateway, 'cat');
    const control = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const viewer = await connect(gateway.url, session.id, { token: gateway.viewerToken });
    assert.equal((await control.nextMessage('hello')).window, WINDOW);
    assert.equal((await viewer.nextMessage('hello')).window, VIEWER_LAG);
    await Promise.all([control.close(), viewer.close()]);
    await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
  });

  test('a control client that stops acking pauses an endless writer; memory stays bounded', async () => {
    const before = residentBytes(gateway.pid);
    const session = await createSession(gateway, 'zero');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken, autoAck: false });
    await client.waitForBytes(WINDOW);
    // Paused: what the gateway has read stops growing (cat /dev/zero would add megabytes a second).
    // Compared over a second, as often as a loaded machine needs for a read in flight to land.
    let stalled = (await getSession(gateway, session.id)).outputBytes;
    for (let attempt = 0; ; attempt += 1) {
      await sleep(1_000);
      const later = (await getSession(gateway, session.id)).outputBytes;
      if (later === stalled) break;
      assert.ok(attempt < 10, `the child is not paused: ${later} bytes read, ${stalled} a second before`);
      stalled = later;
    }
    assert.ok(stalled <= WINDOW + 2 * CHUNK, `read ${stalled} bytes with a ${WINDOW}-byte window`);
    assert.equal(client.output().length, stalled, 'everything read was delivered');
    const grown = residentBytes(gateway.pid) - before;
    assert.ok(grown < 40 * MiB, `gateway grew by ${grown} bytes while a child wrote endlessly`);

    // Acks resume it, by as much as was acknowledged.
    client.ack();
    await client.waitForBytes(stalled + WINDOW);
    client.autoAck = true;
    client.ack();
    await client.waitForBytes(stalled + 4 * MiB);
    assert.ok(!client.messages.some((m) => m.type === 'gap'));
    const deleted = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
      token: gateway.operatorToken,
    });
    assert.equal(deleted.status, 200);
    await client.nextMessage('exit');
  });

  test('output before the first client attaches waits for it: nothing is lost', async () => {
    const session = await sh(gateway, 'head -c 1048576 /dev/zero; echo end');
    await sleep(400);
    const waiting = await getSession(gateway, session.id);
    assert.equal(waiting.state, 'running');
    assert.ok(
      waiting.outputBytes <= WINDOW + 2 * CHUNK,
      `read ${waiting.outputBytes} bytes before anyone attached`,
    );
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await client.nextMessage('exit');
    assert.equal(client.output().length, 1_048_576 + 4);
    assert.ok(!client.messages.some((m) => m.type === 'gap'));
  });

  test('a lagging viewer never stalls the child: it gets a gap and skips ahead', async () => {
    const total = 4 * MiB;
    const session = await sh(gateway, `head -c ${total} /dev/zero; echo end`);
    const viewer = await connect(gateway.url, session.id, { token: gateway.viewerToken, autoAck: false });
    const control = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await control.nextMessage('exit');
    assert.equal(control.output().length, total + 4, 'the control client got everything, undisturbed');
    assert.ok(
      viewer.output().length <= VIEWER_LAG + CHUNK,
      `the viewer got ${viewer.output().length} bytes without acking`,
    );
    assert.ok(!viewer.messages.some((m) => m.type === 'exit'));
    // The control client's last acks must reach the gateway before the viewer's: output a control
    // client has not acknowledged stays pinned in the replay buffer, and two sockets' messages have no
    // order between them. A ping answered on the control connection comes after every ack sent on it.
    await new Promise((resolve) => {
      control.ws.once('pong', resolve);
      control.ws.ping();
    });
    // The viewer catches up: what left the replay buffer is a gap, the rest arrives, then exit.
    viewer.autoAck = true;
    viewer.ack();
    await viewer.nextMessage('exit');
    const gap = await viewer.nextMessage('gap');
    assert.ok(gap.from <= VIEWER_LAG + CHUNK && gap.to >= total + 4 - REPLAY - ONE_READ, JSON.stringify(gap));
    assert.equal(viewer.position, total + 4);
    const gaps = viewer.messages.filter((m) => m.type === 'gap');
    const skipped = gaps.reduce((sum, m) => (m.type === 'gap' ? sum + (m.to - m.from) : sum), 0);
    assert.equal(viewer.output().length + skipped, total + 4, 'received + skipped = everything, no overlap');
    assert.ok(viewer.text().endsWith('end\n'));
    await Promise.all([viewer.close(), control.close()]);
  });

  test('a viewer cannot ack past what it was sent', async () => {
    const session = await sh(gateway, 'echo hello; sleep 5');
    const viewer = await connect(gateway.url, session.id, { token: gateway.viewerToken });
    await viewer.waitForOutput((text) => text === 'hello\n');
    viewer.send({ type: 'ack', offset: 1000 });
    assert.equal((await viewer.nextMessage('error')).code, 'INVALID_OFFSET');
    viewer.send({ type: 'ack', offset: 2 });
    assert.equal((await viewer.nextMessage('error')).code, 'INVALID_OFFSET', 'behind an earlier ack');
    await viewer.close();
    await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
  });
});
