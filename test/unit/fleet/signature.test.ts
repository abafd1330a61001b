// The principal an entry node signs for the owner: accepted once, with the exact method, path and
// body it was signed for, from a node holding the same secret, within the clock skew bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeSigner, SignatureError } from '../../../server/src/fleet/signature.ts';
import type { SignedPrincipal } from '../../../server/src/fleet/signature.ts';

const SECRET = 'a-node-secret-of-at-least-32-characters!';
const PRINCIPAL: SignedPrincipal = { name: 'alice', role: 'operator', scope: 'own', from: '127.0.0.1' };
const REQUEST = {
  method: 'POST',
  path: '/fleet/v1/api/sessions/x/signal',
  body: Buffer.from('{"signal":"SIGINT"}'),
};

function verifyError(verifier: NodeSigner, request: typeof REQUEST, headers: Record<string, string>): string {
  try {
    verifier.verify(request, headers);
  } catch (error) {
    assert.ok(error instanceof SignatureError);
    return error.message;
  }
  return 'accepted';
}

test('a signed principal is accepted by a node with the same secret, and only once', () => {
  const headers = new NodeSigner(SECRET, 'b').sign(REQUEST, PRINCIPAL);
  const owner = new NodeSigner(SECRET, 'a');
  assert.deepEqual(owner.verify(REQUEST, headers), { node: 'b', principal: PRINCIPAL });
  assert.equal(verifyError(owner, REQUEST, headers), 'node signature replayed');
});

test('another secret, path, method or body, or a changed principal, is a bad signature', () => {
  const headers = new NodeSigner(SECRET, 'b').sign(REQUEST, PRINCIPAL);
  const owner = (): NodeSigner => new NodeSigner(SECRET, 'a');
  const other = new NodeSigner(`${SECRET}-other`, 'a');
  assert.equal(verifyError(other, REQUEST, headers), 'bad node signature');
  assert.equal(
    verifyError(owner(), { ...REQUEST, path: '/fleet/v1/api/sessions/y/signal' }, headers),
    'bad node signature',
  );
  assert.equal(verifyError(owner(), { ...REQUEST, method: 'DELETE' }, headers), 'bad node signature');
  assert.equal(
    verifyError(owner(), { ...REQUEST, body: Buffer.from('{"signal":"SIGKILL"}') }, headers),
    'bad node signature',
  );
  const promoted = Buffer.from(JSON.stringify({ ...PRINCIPAL, scope: 'all' })).toString('base64url');
  assert.equal(
    verifyError(owner(), REQUEST, { ...headers, 'x-shellgate-principal': promoted }),
    'bad node signature',
  );
});

test('a missing header is named; a stale timestamp is refused', () => {
  const headers = new NodeSigner(SECRET, 'b').sign(REQUEST, PRINCIPAL);
  const { 'x-shellgate-nonce': _nonce, ...noNonce } = headers;
  assert.equal(
    verifyError(new NodeSigner(SECRET, 'a'), REQUEST, noNonce),
    'missing x-shellgate-nonce header',
  );
  assert.equal(verifyError(new NodeSigner(SECRET, 'a'), REQUEST, {}), 'missing x-shellgate-node header');
  const past = new NodeSigner(SECRET, 'b', () => Date.now() - 60_000).sign(REQUEST, PRINCIPAL);
  assert.match(verifyError(new NodeSigner(SECRET, 'a'), REQUEST, past), /timestamp out of range/);
});
