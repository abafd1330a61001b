// Listeners: the first listener is kept apart from the rest (a Set is made only for a second one);
// order, disposal and duplicates must be as with one Set.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Listeners } from '../../../server/src/process/listeners.ts';

test('listeners are called in the order they were added, across disposals of the first', () => {
  const listeners = new Listeners<number>();
  const calls: string[] = [];
  const a = listeners.add((n) => calls.push(`a${n}`));
  listeners.add((n) => calls.push(`b${n}`));
  listeners.emit(1);
  a.dispose();
  listeners.add((n) => calls.push(`c${n}`));
  listeners.emit(2);
  assert.deepEqual(calls, ['a1', 'b1', 'b2', 'c2']);
});

test('the same function added twice is called twice, and each subscription disposes only itself', () => {
  const listeners = new Listeners<void>();
  let calls = 0;
  const count = (): void => {
    calls += 1;
  };
  const first = listeners.add(count);
  const second = listeners.add(count);
  listeners.emit();
  assert.equal(calls, 2);
  second.dispose();
  listeners.emit();
  assert.equal(calls, 3);
  first.dispose();
  first.dispose();
  listeners.emit();
  assert.equal(calls, 3);
  listeners.add(count);
  listeners.emit();
  assert.equal(calls, 4, 'a listener added once all are gone is called');
});
