// The Host (DNS rebinding) and Origin checks, with the sentences they refuse with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OriginPolicy } from '../../../server/src/auth/origin.ts';

const loopback = new OriginPolicy({
  bindHost: '127.0.0.1',
  allowedHosts: [],
  allowedOrigins: [],
  tls: false,
});

test('a loopback gateway accepts loopback names, with or without a port', () => {
  for (const host of ['127.0.0.1:8080', 'localhost', 'LOCALHOST:1', '[::1]:8080'])
    assert.equal(loopback.hostRefusal(host), undefined, host);
});

test('a loopback gateway refuses other Host names, and a missing one, naming the fix', () => {
  assert.equal(
    loopback.hostRefusal('evil.example:8080'),
    'host "evil.example:8080" is not allowed; add it to allowedHosts',
  );
  assert.equal(loopback.hostRefusal(undefined), 'host "" is not allowed; add it to allowedHosts');
});

test('configured allowedHosts are accepted; a gateway on a public address without them accepts any Host', () => {
  const listed = new OriginPolicy({
    bindHost: '127.0.0.1',
    allowedHosts: ['Gate.Example'],
    allowedOrigins: [],
    tls: false,
  });
  assert.equal(listed.hostRefusal('gate.example:443'), undefined);
  const open = new OriginPolicy({ bindHost: '0.0.0.0', allowedHosts: [], allowedOrigins: [], tls: false });
  assert.equal(open.hostRefusal('anything.example'), undefined);
});

test("the gateway's own origin, a configured one, and no Origin at all pass", () => {
  const policy = new OriginPolicy({
    bindHost: '127.0.0.1',
    allowedHosts: [],
    allowedOrigins: ['https://app.example/some/path'],
    tls: true,
  });
  assert.equal(policy.originRefusal('https://127.0.0.1:8443', '127.0.0.1:8443'), undefined);
  assert.equal(policy.originRefusal('https://app.example', '127.0.0.1:8443'), undefined);
  assert.equal(policy.originRefusal(undefined, '127.0.0.1:8443'), undefined);
});

test('a foreign Origin is refused with its name, and a scheme mismatch counts as foreign', () => {
  assert.equal(
    loopback.originRefusal('http://evil.example', '127.0.0.1:1'),
    'origin "http://evil.example" is not allowed',
  );
  assert.equal(
    loopback.originRefusal('https://127.0.0.1:1', '127.0.0.1:1'),
    'origin "https://127.0.0.1:1" is not allowed',
  );
  assert.equal(loopback.originRefusal('null', '127.0.0.1:1'), 'origin "null" is not allowed');
});
