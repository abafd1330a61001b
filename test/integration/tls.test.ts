// TLS: the gateway serves https and wss with the configured certificate, and its login cookie is
// Secure. The certificate in test/fixtures/tls is self-signed for 127.0.0.1, for these tests only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { FrameType, SUBPROTOCOL, parseServerMessage, streamUrl } from '@shellgate/shared';
import WebSocket from 'ws';
import { useGateway } from '../helpers/fixture.ts';
import type { Gateway } from '../helpers/gateway.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
const ca = readFileSync(fixture('cert.pem'));

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  gateway: Gateway,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, gateway.url),
      { method, ca, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.once('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
        );
      },
    );
    req.once('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const pids: number[] = [];
const gateway = useGateway({
  config: { tls: { cert: fixture('cert.pem'), key: fixture('key.pem') } },
  groups: pids,
});

describe('TLS', () => {
  test('the gateway announces and serves https', async () => {
    assert.match(gateway.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await call(gateway, 'GET', '/healthz');
    assert.equal(health.status, 200);
  });

  test('the login cookie is Secure under TLS', async () => {
    const login = await call(
      gateway,
      'POST',
      '/api/login',
      { origin: gateway.origin },
      {
        token: gateway.operatorToken,
      },
    );
    assert.equal(login.status, 200, login.body);
    const cookie = String(login.headers['set-cookie']);
    assert.match(cookie, /shellgate_session=/);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
  });

  test('a bc conversation over wss', async () => {
    const created = await call(
      gateway,
      'POST',
      '/api/sessions',
      { authorization: `Bearer ${gateway.operatorToken}` },
      { profile: 'bc' },
    );
    assert.equal(created.status, 201, created.body);
    const { session } = JSON.parse(created.body) as { session: { id: string; pid: number } };
    pids.push(session.pid);
    const ws = new WebSocket(streamUrl(gateway.url, session.id, { offset: 0 }), [SUBPROTOCOL], {
      ca,
      headers: { authorization: `Bearer ${gateway.operatorToken}` },
    });
    let output = '';
    const exited = new Promise<unknown>((resolve, reject) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary && data[0] === FrameType.Stdout) output += data.subarray(1).toString('utf8');
        if (!isBinary) {
          const message = parseServerMessage(data.toString('utf8'));
          if (message.type === 'hello') {
            ws.send(JSON.stringify({ type: 'input', data: '2+3\n' }));
            ws.send(JSON.stringify({ type: 'close-stdin' }));
          }
          if (message.type === 'exit') resolve(message);
        }
      });
      ws.once('error', reject);
    });
    assert.deepEqual(await exited, { type: 'exit', code: 0, signal: null });
    assert.equal(output, '5\n');
    ws.close();
  });
});
