// Sessions outlive connections: detach, reconnect with ?offset=, get exactly the bytes after it —
// or a `gap` first when they have left the replay buffer.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { useGateway } from '../helpers/fixture.js';
import { getSession, sh } from '../helpers/sessions.js';
import { connect, connectRefused } from '../helpers/ws-client.js';

const REPLAY = 256 * 1024;
/** Pinned bytes may hold the replay buffer over its budget by one frame, ≤ 64 KiB (docs/configuration.md). */
const ONE_READ = 64 * 1024;
const gateway = useGateway({
  config: { limits: { replayBufferBytes: REPLAY, flowControlWindowBytes: 64 * 1024 } },
});

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A deterministic stream: numbered lines, so any loss or duplicate shows. */
const LINES = 'i=0; while [ $i -lt 40000 ]; do echo "line $i"; i=$((i+1)); done';
function expectedLines(): Buffer {
  let text = '';
  for (let i = 0; i < 40_000; i += 1) text += `line ${i}\n`;
  return Buffer.from(text);
}

describe('reconnect', () => {
  test('reconnecting with the last offset resumes with no loss and no duplicate (checksums)', async () => {
    const session = await sh(gateway, LINES);
    const expected = expectedLines();
    const received: Buffer[] = [];
    let offset = 0;
    // Attach, read a while, drop the connection, reconnect from where we were — until exit.
    for (let round = 0; round < 50; round += 1) {
      const client = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset });
      const hello = await client.nextMessage('hello');
      assert.equal(hello.offset, offset);
      await client.waitFor('some output or exit', () =>
        client.output().length >= 20_000 || client.messages.some((m) => m.type === 'exit') ? true : undefined,
      );
      assert.ok(!client.messages.some((m) => m.type === 'gap'), 'no gap while the control client keeps up');
      const done = client.messages.some((m) => m.type === 'exit');
      // Drop without a close handshake half of the time.
      if (round % 2 === 0) await client.terminate();
      else await client.close();
      received.push(client.output());
      offset = client.position;
      if (done) break;
    }
    const all = Buffer.concat(received);
    assert.equal(all.length, expected.length);
    assert.equal(sha(all), sha(expected));
    assert.equal((await getSession(gateway, session.id)).outputBytes, expected.length);
  });

  test('two readers at different offsets see the same bytes from their offsets on', async () => {
    const session = await sh(gateway, 'i=0; while [ $i -lt 2000 ]; do echo "row $i"; i=$((i+1)); done');
    const first = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await first.nextMessage('exit');
    const whole = first.output();
    const second = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: 1234 });
    await second.nextMessage('exit');
    assert.deepEqual(second.output(), whole.subarray(1234));
    const atEnd = await connect(gateway.url, session.id, {
      token: gateway.operatorToken,
      offset: whole.length,
    });
    await atEnd.nextMessage('exit');
    assert.equal(atEnd.output().length, 0);
    await Promise.all([first.close(), second.close(), atEnd.close()]);
  });

  test('bytes that left the replay buffer are reported as a gap, then the rest follows exactly', async () => {
    const total = 3 * REPLAY;
    const session = await sh(gateway, `head -c ${total} /dev/zero | tr '\\0' 'x'; echo; echo tail`);
    const reader = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await reader.nextMessage('exit');
    const whole = reader.output();
    assert.equal(whole.length, total + 6);
    await reader.close();

    const late = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: 0 });
    await late.nextMessage('exit');
    const gap = await late.nextMessage('gap');
    assert.equal(gap.from, 0);
    assert.ok(gap.to > 0 && gap.to >= whole.length - REPLAY - ONE_READ, `gap ends at ${gap.to}`);
    // hello, gap, then output: the gap comes before any byte.
    assert.equal(late.events[1]?.kind, 'message');
    assert.deepEqual(late.output(), whole.subarray(gap.to));
    await late.close();
  });

  test('an offset beyond the output is refused before the upgrade', async () => {
    const session = await sh(gateway, 'echo hi');
    const reader = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    await reader.nextMessage('exit');
    await reader.close();
    for (const offset of ['4', '-1', 'abc', '1e3', '99999999999999999999']) {
      const refusal = await connectRefused(gateway.url, session.id, {
        token: gateway.operatorToken,
        query: `offset=${offset}`,
      });
      assert.equal(refusal.status, 400, `offset=${offset}`);
      assert.match(refusal.body, /INVALID_OFFSET/);
    }
  });
});
