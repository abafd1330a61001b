// Cookie logins: random ids mapped to an identity, expiring after their lifetime or on logout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginStore } from '../../../server/src/auth/logins.ts';
import type { Principal } from '../../../server/src/auth/principal.ts';

const alice: Principal = { name: 'alice', role: 'operator', scope: 'own' };
const TTL = 1_000;

function store(): { logins: LoginStore; advance: (ms: number) => void } {
  let time = 100_000;
  return { logins: new LoginStore(TTL, () => time), advance: (ms) => void (time += ms) };
}

test('a login is a fresh random id that maps to its principal', () => {
  const { logins } = store();
  const first = logins.create(alice);
  const second = logins.create(alice);
  assert.match(first, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
  assert.notEqual(first, second);
  assert.deepEqual(logins.get(first), alice);
  assert.equal(logins.expiresAt(first), 100_000 + TTL);
  assert.equal(logins.get('forged'), undefined);
});

test('a login expires exactly at the end of its lifetime', () => {
  const { logins, advance } = store();
  const id = logins.create(alice);
  advance(TTL - 1);
  assert.deepEqual(logins.get(id), alice);
  advance(1);
  assert.equal(logins.get(id), undefined);
  assert.equal(logins.expiresAt(id), undefined);
});

test('a deleted login (logout) is gone at once, and others stay', () => {
  const { logins } = store();
  const gone = logins.create(alice);
  const kept = logins.create(alice);
  logins.delete(gone);
  assert.equal(logins.get(gone), undefined);
  assert.deepEqual(logins.get(kept), alice);
});
