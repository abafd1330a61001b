// Malformed, oversized, unknown, unauthorised or ill-timed WebSocket messages: each gets a clear
// error (or a specific close code) and changes nothing else.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGateway } from '../helpers/fixture.js';
import { createSession, getSession } from '../helpers/sessions.js';
import { connect } from '../helpers/ws-client.js';
import type { TestClient } from '../helpers/ws-client.js';

const gateway = useGateway({ config: { limits: { maxMessageBytes: 4096, inputBytesPerSecond: 1000 } } });

async function echoWorks(client: TestClient, text: string): Promise<void> {
  const before = client.text();
  client.sendInput(text);
  await client.waitForOutput((output) => output === before + text);
}

describe('bad WebSocket input', () => {
  test('each bad message gets its error code and the session carries on', async () => {
    const session = await createSession(gateway, 'cat');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const cases: Array<[string | Buffer, string]> = [
      ['not json', 'INVALID_REQUEST'],
      ['[]', 'INVALID_REQUEST'],
      ['{"type":42}', 'INVALID_REQUEST'],
      ['{"type":"launch-missiles"}', 'UNKNOWN_MESSAGE_TYPE'],
      ['{"type":"input"}', 'INVALID_REQUEST'],
      ['{"type":"input","data":"x","extra":1}', 'INVALID_REQUEST'],
      ['{"type":"signal","signal":"SIGSEGV"}', 'INVALID_SIGNAL'],
      ['{"type":"terminate","gracePeriodMs":-1}', 'INVALID_REQUEST'],
      ['{"type":"resize","cols":80,"rows":24}', 'NOT_A_TERMINAL'],
      ['{"type":"resize","cols":0,"rows":24}', 'INVALID_REQUEST'],
      ['{"type":"ack","offset":-5}', 'INVALID_REQUEST'],
      ['{"type":"ack","offset":999}', 'INVALID_OFFSET'],
      [Buffer.from([0x01, 0x41]), 'INVALID_FRAME'],
      [Buffer.from([0x7f]), 'INVALID_FRAME'],
      [Buffer.alloc(0), 'INVALID_FRAME'],
    ];
    for (const [data, code] of cases) {
      client.sendRaw(data);
      const error = await client.nextMessage('error');
      assert.equal(error.code, code, `${JSON.stringify(data.toString())} → ${error.message}`);
      assert.ok(error.message.length > 0);
    }
    await echoWorks(client, 'still alive\n');
    const info = await getSession(gateway, session.id);
    assert.equal(info.state, 'running');
    assert.equal(info.clients, 1);
    await client.close();
  });

  test('a message over maxMessageBytes closes that connection with 1009, nothing else', async () => {
    const session = await createSession(gateway, 'cat');
    const other = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    client.sendInput(Buffer.alloc(5000, 0x61));
    assert.equal((await client.waitForClose()).code, 1009);
    await echoWorks(other, 'other client fine\n');
    assert.equal(other.text(), 'other client fine\n', 'the oversized input never reached the process');
    await other.close();
  });

  test('input faster than the rate limit is refused with RATE_LIMITED, then 4029 if it goes on', async () => {
    const session = await createSession(gateway, 'cat');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    client.sendInput(Buffer.alloc(900, 0x62));
    client.sendInput(Buffer.alloc(900, 0x63));
    assert.equal((await client.nextMessage('error')).code, 'RATE_LIMITED');
    await client.waitForBytes(900);
    assert.equal(client.output().toString(), 'b'.repeat(900), 'the refused input was dropped whole');
    for (let i = 0; i < 40; i += 1) client.sendInput(Buffer.alloc(900, 0x64));
    assert.equal((await client.waitForClose()).code, 4029);
  });

  test('bad requests on one session leave other sessions untouched', async () => {
    const first = await createSession(gateway, 'cat');
    const second = await createSession(gateway, 'cat');
    const a = await connect(gateway.url, first.id, { token: gateway.operatorToken });
    const b = await connect(gateway.url, second.id, { token: gateway.operatorToken });
    a.sendRaw('{"type":"nope"}');
    await a.nextMessage('error');
    a.sendInput(Buffer.alloc(5000));
    await a.waitForClose();
    await echoWorks(b, 'b ok\n');
    assert.equal((await getSession(gateway, first.id)).state, 'running');
    await b.close();
  });
});
