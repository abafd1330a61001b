// The exec upgrade: a session created from a profile and attached as control in one handshake.
// Refusals — the stream's and the create request's — are plain HTTP answers before any 101.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SUBPROTOCOL } from '@shellgate/shared';
import WebSocket from 'ws';
import { startGateway } from '../helpers/gateway.js';
import type { Gateway } from '../helpers/gateway.js';
import { api, get } from '../helpers/http.js';
import { TestClient, upgradeRefusal } from '../helpers/ws-client.js';
import type { Refusal } from '../helpers/ws-client.js';

let gateway: Gateway;

before(async () => {
  gateway = await startGateway({
    config: { profiles: { missing: { argv: ['/nonexistent/shellgate-test-program'], mode: 'pipe' } } },
  });
});

after(async () => {
  await gateway.stop();
});

function execUrl(query: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
  }
  return `${gateway.url.replace('http', 'ws')}/api/exec?${params.toString()}`;
}

async function exec(
  query: Record<string, string | string[]>,
  token = gateway.operatorToken,
): Promise<TestClient> {
  const ws = new WebSocket(execUrl(query), SUBPROTOCOL, {
    headers: { authorization: `Bearer ${token}` },
    perMessageDeflate: false,
  });
  const client = new TestClient(ws, true);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => {
      reject(new Error(`exec refused with ${response.statusCode}`));
      response.resume();
    });
    ws.once('error', reject);
  });
  return client;
}

function refusal(
  query: Record<string, string | string[]>,
  options: { token?: string; protocols?: string[] } = {},
): Promise<Refusal> {
  const ws = new WebSocket(execUrl(query), options.protocols ?? SUBPROTOCOL, {
    headers: { authorization: `Bearer ${options.token ?? gateway.operatorToken}` },
  });
  return upgradeRefusal(ws);
}

async function sessionCount(): Promise<number> {
  const list = await api(gateway.url, 'GET', '/api/sessions', { token: gateway.operatorToken });
  const sessions = get(list.body, 'sessions');
  assert.ok(Array.isArray(sessions));
  return sessions.length;
}

test('one handshake starts the command: hello as control from 0, stdout and stderr apart, exit, then close 1000', async () => {
  const client = await exec({ profile: 'sh', arg: ['echo out; echo err >&2; exit 7'] });
  const hello = await client.nextMessage('hello');
  assert.equal(hello.role, 'control');
  assert.equal(hello.offset, 0);
  assert.equal(hello.session.profile, 'sh');
  const exit = await client.nextMessage('exit');
  assert.deepEqual(exit, { type: 'exit', code: 7, signal: null });
  assert.equal(client.text('stdout'), 'out\n');
  assert.equal(client.text('stderr'), 'err\n');
  const closed = await client.waitForClose();
  assert.equal(closed.code, 1000, 'the gateway closes an exec stream after exit');
  const info = await api(gateway.url, 'GET', `/api/sessions/${hello.session.id}`, {
    token: gateway.operatorToken,
  });
  assert.equal(get(info.body, 'session', 'state'), 'exited', 'the session stays listed, exited');
});

test('stdin reaches the command and closing it ends a cat', async () => {
  const client = await exec({ profile: 'cat' });
  await client.nextMessage('hello');
  client.sendInput('through cat\n');
  await client.waitForOutput((text) => text === 'through cat\n');
  client.send({ type: 'close-stdin' });
  assert.equal((await client.nextMessage('exit')).code, 0);
  assert.equal((await client.waitForClose()).code, 1000);
});

test('a terminal session takes its size from the query', async () => {
  const client = await exec({ profile: 'pty-sh', arg: 'stty size', cols: '91', rows: '33' });
  await client.nextMessage('exit');
  assert.match(client.text(), /33 91/);
  await client.waitForClose();
});

test('every refusal is an HTTP answer before any 101, and leaves no session', async () => {
  const before = await sessionCount();
  const cases: Array<[string, Promise<{ status: number; body: string }>, number, string]> = [
    ['a viewer', refusal({ profile: 'cat' }, { token: gateway.viewerToken }), 403, 'FORBIDDEN'],
    ['a wrong token', refusal({ profile: 'cat' }, { token: 'not-a-token-at-all' }), 401, 'UNAUTHORIZED'],
    ['no profile', refusal({}), 400, 'INVALID_REQUEST'],
    ['an unknown profile', refusal({ profile: 'nope' }), 404, 'PROFILE_NOT_FOUND'],
    ['args for a profile without allowArgs', refusal({ profile: 'cat', arg: 'x' }), 400, 'ARGS_NOT_ALLOWED'],
    ['columns out of range', refusal({ profile: 'cat', cols: '100000' }), 400, 'INVALID_REQUEST'],
    ['no subprotocol', refusal({ profile: 'cat' }, { protocols: ['other'] }), 400, 'INVALID_REQUEST'],
    ['a command that cannot start', refusal({ profile: 'missing' }), 500, 'SPAWN_FAILED'],
  ];
  for (const [what, answer, status, code] of cases) {
    const { status: got, body } = await answer;
    assert.equal(got, status, `${what}: ${body}`);
    assert.match(body, new RegExp(code), what);
  }
  assert.equal(await sessionCount(), before);
});
