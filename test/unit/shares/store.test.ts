// The share store on its own, with a clock the test moves: a link opens only with its secret,
// ends by expiry or revocation exactly once, and says which when used after; what a visitor may
// reach over HTTP is an allow-list of its session's paths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, ProtocolError, parseShareLink } from '@shellgate/shared';
import { shareMayUse } from '../../../server/src/shares/access.ts';
import { ShareStore } from '../../../server/src/shares/store.ts';
import type { ShareEnd } from '../../../server/src/shares/store.ts';

const CONFIG = { enabled: true, maxTtlSeconds: 3600, maxPerSession: 2 };

function storeWithClock(): {
  store: ShareStore;
  ended: Array<[string, ShareEnd]>;
  advance(ms: number): void;
} {
  let now = 1_000_000;
  const ended: Array<[string, ShareEnd]> = [];
  const store = new ShareStore(
    CONFIG,
    (share, end) => ended.push([share.id, end]),
    () => now,
  );
  return { store, ended, advance: (ms) => (now += ms) };
}

function refusedWith(code: ErrorCode): (error: unknown) => boolean {
  return (error) => error instanceof ProtocolError && error.code === code;
}

test('a link opens with its secret only, and its visitor is confined to its session in its role', () => {
  const { store } = storeWithClock();
  const { share, link } = store.create({ session: 's1', mode: 'view', ttlSeconds: 60, createdBy: 'alice' });
  assert.throws(
    () => store.open({ id: link.id, secret: 'x'.repeat(43) }),
    refusedWith(ErrorCode.ShareLinkInvalid),
  );
  assert.throws(
    () => store.open({ id: 'y'.repeat(22), secret: link.secret }),
    refusedWith(ErrorCode.ShareLinkInvalid),
  );
  const { visitId } = store.open(link);
  assert.deepEqual(store.visit(visitId).principal, {
    name: `share:${share.id}`,
    role: 'viewer',
    scope: 'own',
    share: { id: share.id, session: 's1' },
  });
  assert.equal(share.opens, 1);
  assert.notEqual(visitId, link.secret);
});

test('expiry ends a link once, and a late use says expired; revocation says revoked', () => {
  const clock = storeWithClock();
  const { store, ended } = clock;
  const first = store.create({ session: 's1', mode: 'control', ttlSeconds: 60, createdBy: 'alice' });
  const second = store.create({ session: 's1', mode: 'view', ttlSeconds: 600, createdBy: 'alice' });
  const { visitId } = store.open(first.link);
  clock.advance(60_000);
  assert.throws(() => store.visit(visitId), refusedWith(ErrorCode.ShareLinkExpired));
  assert.throws(() => store.open(first.link), refusedWith(ErrorCode.ShareLinkExpired));
  assert.equal(store.revoke(second.share.id), true);
  assert.equal(store.revoke(second.share.id), false);
  assert.throws(() => store.open(second.link), refusedWith(ErrorCode.ShareLinkRevoked));
  assert.deepEqual(ended, [
    [first.share.id, 'expired'],
    [second.share.id, 'revoked'],
  ]);
  assert.deepEqual(
    store.list(() => true),
    [],
  );
});

test('limits: the longest life and the links per session', () => {
  const { store } = storeWithClock();
  assert.throws(
    () => store.create({ session: 's1', mode: 'view', ttlSeconds: 3601, createdBy: 'alice' }),
    /shares\.maxTtlSeconds \(3600\)/,
  );
  store.create({ session: 's1', mode: 'view', ttlSeconds: 60, createdBy: 'alice' });
  store.create({ session: 's1', mode: 'view', ttlSeconds: 60, createdBy: 'alice' });
  assert.throws(
    () => store.create({ session: 's1', mode: 'view', ttlSeconds: 60, createdBy: 'alice' }),
    /shares\.maxPerSession/,
  );
  store.create({ session: 's2', mode: 'view', ttlSeconds: 60, createdBy: 'alice' });
  const off = new ShareStore({ ...CONFIG, enabled: false }, () => undefined);
  assert.throws(
    () => off.create({ session: 's1', mode: 'view', ttlSeconds: 60, createdBy: 'alice' }),
    /shares\.enabled/,
  );
});

test('a visitor reaches its session resource and signal path, nothing else', () => {
  const share = { id: 'i'.repeat(22), session: 'abc' };
  assert.equal(shareMayUse(share, '/api/sessions/abc'), true);
  assert.equal(shareMayUse(share, '/api/sessions/abc/signal'), true);
  for (const path of [
    '/api/sessions',
    '/api/sessions/abd',
    '/api/sessions/abc/shares',
    '/api/sessions/abc/stream/x',
    '/api/recordings',
    '/api/profiles',
    '/api/sessions/%ZZ',
  ]) {
    assert.equal(shareMayUse(share, path), false, path);
  }
});

test('a link is read from a whole URL, a fragment or bare, and anything else is refused', () => {
  const id = 'A'.repeat(22);
  const secret = 'b'.repeat(43);
  for (const text of [`https://h:1/#share=${id}.${secret}`, `#share=${id}.${secret}`, `${id}.${secret}`]) {
    assert.deepEqual(parseShareLink(text), { id, secret });
  }
  for (const text of ['', 'share', `${id}.${secret}.x`, `${id}.short`, `https://h/#token=${id}.${secret}`]) {
    assert.throws(() => parseShareLink(text), refusedWith(ErrorCode.ShareLinkInvalid), text);
  }
});
