// Token verification: tokens are kept as SHA-256 digests and compared in constant time.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { TokenStore } from '../../../server/src/auth/tokens.ts';

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

test('a configured plain-text token identifies its principal, with the default scope of its role', () => {
  const store = new TokenStore([
    { name: 'ops', token: 'operator-token-0123456789', role: 'operator' },
    { token: 'viewer-token-0123456789', role: 'viewer' },
  ]);
  assert.deepEqual(store.identify('operator-token-0123456789'), {
    name: 'ops',
    role: 'operator',
    scope: 'own',
  });
  assert.deepEqual(store.identify('viewer-token-0123456789'), {
    name: 'viewer1',
    role: 'viewer',
    scope: 'all',
  });
});

test('a token configured as its sha256 digest, with or without the prefix, is recognized', () => {
  const store = new TokenStore([
    { name: 'a', sha256: `sha256:${digest('first-secret-token')}`, role: 'operator' },
    { name: 'b', sha256: digest('second-secret-token'), role: 'operator', scope: 'all' },
  ]);
  assert.equal(store.identify('first-secret-token')?.name, 'a');
  assert.deepEqual(store.identify('second-secret-token'), { name: 'b', role: 'operator', scope: 'all' });
});

test('an unknown, empty, or nearly right token identifies nobody', () => {
  const store = new TokenStore([{ name: 'ops', token: 'operator-token-0123456789', role: 'operator' }]);
  for (const guess of [
    '',
    'operator-token-012345678',
    'operator-token-01234567890',
    'OPERATOR-TOKEN-0123456789',
  ])
    assert.equal(store.identify(guess), undefined, JSON.stringify(guess));
});
