// Nothing a control client has not acknowledged is ever dropped, even when the flow-control window
// is as large as the replay buffer: the replay buffer keeps those bytes and the child waits.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { useGateway } from '../helpers/fixture.ts';
import { getSession, sh } from '../helpers/sessions.ts';
import { connect } from '../helpers/ws-client.ts';
import type { TestClient } from '../helpers/ws-client.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const SCRIPT = 'seq 1 1500000'; // ~10 MiB of distinct lines
const expected = execFileSync('sh', ['-c', SCRIPT], { maxBuffer: 64 * MiB });
const digest = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

const gateway = useGateway({
  config: {
    limits: { replayBufferBytes: 256 * KiB, flowControlWindowBytes: 256 * KiB, reconnectHoldMs: 1500 },
  },
});

describe('no loss with a window as large as the replay buffer', () => {
  test('output written before the first client attaches is all delivered', async () => {
    const session = await sh(gateway, SCRIPT);
    await sleep(500); // the child fills what it may
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: 0 });
    try {
      await client.nextMessage('exit', 30_000);
      assert.deepEqual(
        client.messages.filter((message) => message.type === 'gap'),
        [],
      );
      assert.equal(client.output().length, expected.length);
      assert.equal(digest(client.output()), digest(expected));
    } finally {
      await client.close();
    }
  });

  test('a control client that drops and comes back from its last ack gets the rest exactly', async () => {
    const session = await sh(gateway, SCRIPT);
    const first = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: 0 });
    // Process (ack) the first MiB or so, then stop acking: the window fills with unacked bytes.
    await first.waitForBytes(MiB, 30_000);
    first.autoAck = false;
    const acked = first.position;
    await sleep(300);
    await first.terminate();
    const second = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: acked });
    try {
      await second.nextMessage('exit', 30_000);
      assert.deepEqual(
        second.messages.filter((message) => message.type === 'gap'),
        [],
      );
      const whole = Buffer.concat([first.output().subarray(0, acked), second.output()]);
      assert.equal(whole.length, expected.length);
      assert.equal(digest(whole), digest(expected));
    } finally {
      await second.close();
    }
  });

  test('once the reconnect hold is over, a detached session runs on and a late client gets a gap', async () => {
    const session = await sh(gateway, SCRIPT);
    const first = await connect(gateway.url, session.id, { token: gateway.operatorToken, offset: 0 });
    await first.waitForBytes(64 * KiB, 30_000);
    first.autoAck = false;
    const acked = first.position;
    await first.close();
    // Held for 1.5 s, then the child runs on with nobody attached: wait until more than the replay
    // buffer has been read past the ack (held, it could not get a window beyond it), however long a
    // loaded machine takes, rather than for a fixed time.
    for (let attempt = 0; ; attempt += 1) {
      const { outputBytes, state } = await getSession(gateway, session.id);
      if (state === 'exited' || outputBytes > acked + 3 * 256 * KiB) break;
      assert.ok(attempt < 600, `the detached session did not run on: ${outputBytes} bytes read`);
      await sleep(50);
    }
    const late: TestClient = await connect(gateway.url, session.id, {
      token: gateway.operatorToken,
      offset: acked,
    });
    try {
      const exit = await late.nextMessage('exit', 30_000);
      assert.equal(exit.code, 0);
      const gap = await late.nextMessage('gap');
      assert.equal(gap.from, acked);
      assert.ok(gap.to > acked + 256 * KiB, 'the bytes beyond the replay buffer are reported missing');
      assert.equal(late.output().length, expected.length - gap.to);
      assert.ok(expected.subarray(gap.to).equals(late.output()), 'what follows the gap is exact');
    } finally {
      await late.close();
    }
  });
});
