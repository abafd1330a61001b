import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitStatus } from '../../../../client/src/exit-status.ts';

test('the remote exit code becomes the local status as it is', () => {
  assert.equal(exitStatus({ code: 0, signal: null }), 0);
  assert.equal(exitStatus({ code: 7, signal: null }), 7);
  assert.equal(exitStatus({ code: 255, signal: null }), 255);
});

test('a death by signal S becomes 128+S, as shells report it', () => {
  assert.equal(exitStatus({ code: null, signal: 'SIGKILL' }), 137);
  assert.equal(exitStatus({ code: null, signal: 'SIGINT' }), 130);
  assert.equal(exitStatus({ code: null, signal: 'SIGTERM' }), 143);
});

test('an exit the client cannot map is a failure (255)', () => {
  assert.equal(exitStatus({ code: null, signal: 'SIGNOTHING' }), 255);
  assert.equal(exitStatus({ code: null, signal: null }), 255);
  assert.equal(exitStatus({ code: 300, signal: null }), 255);
});
