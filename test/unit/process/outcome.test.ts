// Outcome (server/src/process/outcome.ts): a one-time result whose promise is made only when asked
// for, and settles with it whenever that is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Outcome } from '../../../server/src/process/outcome.ts';

test('a promise asked for before the outcome settles with it, and is the same every time', async () => {
  const outcome = new Outcome<number>();
  const promise = outcome.promise;
  assert.equal(outcome.promise, promise);
  assert.equal(outcome.isSettled, false);
  outcome.resolve(7);
  outcome.resolve(8); // settled once
  outcome.reject(new Error('late'));
  assert.equal(outcome.isSettled, true);
  assert.equal(await promise, 7);
  assert.equal(outcome.promise, promise);
});

test('a promise asked for after the outcome settled has its value or its error', async () => {
  const resolved = new Outcome<string>();
  resolved.resolve('done');
  assert.equal(await resolved.promise, 'done');
  const rejected = new Outcome<string>();
  rejected.reject(new Error('never started'));
  await assert.rejects(rejected.promise, /never started/);
});

test('a rejection nobody asked for is not an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', record);
  try {
    new Outcome<void>().reject(new Error('nobody waits'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', record);
  }
});
