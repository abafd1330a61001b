import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetachKeys } from '../../../../client/src/detach-keys.ts';

const bytes = (...values: number[]): Buffer => Buffer.from(values);

test('ctrl-p ctrl-q detaches and drops what follows; what came before is still sent', () => {
  const keys = new DetachKeys();
  assert.deepEqual(keys.feed(bytes(0x61, 0x10, 0x11, 0x62)), { send: bytes(0x61), detach: true });
});

test('the sequence is recognised across two reads', () => {
  const keys = new DetachKeys();
  assert.deepEqual(keys.feed(bytes(0x61, 0x10)), { send: bytes(0x61), detach: false });
  assert.deepEqual(keys.feed(bytes(0x11)), { send: bytes(), detach: true });
});

test('a ctrl-p followed by anything else is sent on unchanged, ctrl-p ctrl-p included', () => {
  const keys = new DetachKeys();
  assert.deepEqual(keys.feed(bytes(0x10, 0x61)), { send: bytes(0x10, 0x61), detach: false });
  assert.deepEqual(keys.feed(bytes(0x10, 0x10, 0x62)), { send: bytes(0x10, 0x10, 0x62), detach: false });
});
