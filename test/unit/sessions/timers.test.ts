// A session's named timers: one per name, all cleared at once, none left behind.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { NamedTimers } from '../../../server/src/sessions/timers.ts';

test('arming a timer again replaces the earlier one of that name', async () => {
  const timers = new NamedTimers<'idle'>();
  const fired: string[] = [];
  timers.set('idle', 20, () => fired.push('first'));
  timers.set('idle', 20, () => fired.push('second'));
  await sleep(200);
  assert.deepEqual(fired, ['second']);
  assert.equal(timers.has('idle'), false, 'a timer that fired is forgotten');
});

test('clearAll ends every timer before it fires', async () => {
  const timers = new NamedTimers<'a' | 'b'>();
  const fired: string[] = [];
  timers.set('a', 20, () => fired.push('a'));
  timers.set('b', 20, () => fired.push('b'));
  assert.equal(timers.has('a'), true);
  timers.clearAll();
  await sleep(200);
  assert.deepEqual(fired, []);
});
