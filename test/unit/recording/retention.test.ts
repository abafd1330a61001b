// Retention's choice: the too old first, then the oldest until the total fits; never a recording
// still being written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expiredRecordings } from '../../../server/src/recording/retention.ts';

const DAY = 24 * 60 * 60 * 1000;
const now = 100 * DAY;
const file = (id: string, bytes: number, daysAgo: number, active = false) => ({
  id,
  bytes,
  lastWrite: now - daysAgo * DAY,
  active,
});

test('the oldest finished recordings go until the total fits', () => {
  const files = [file('new', 40, 1), file('old', 40, 5), file('mid', 40, 3)];
  assert.deepEqual(expiredRecordings(files, { maxTotalBytes: 80, maxAgeMs: undefined }, now), ['old']);
  assert.deepEqual(expiredRecordings(files, { maxTotalBytes: 40, maxAgeMs: undefined }, now), ['old', 'mid']);
  assert.deepEqual(expiredRecordings(files, { maxTotalBytes: 120, maxAgeMs: undefined }, now), []);
});

test('recordings older than the age limit go whatever the total', () => {
  const files = [file('a', 1, 10), file('b', 1, 2), file('c', 1, 0)];
  assert.deepEqual(expiredRecordings(files, { maxTotalBytes: 1000, maxAgeMs: 3 * DAY }, now), ['a']);
});

test('a recording still being written is never removed, though it counts towards the total', () => {
  const files = [file('writing', 100, 9, true), file('done', 10, 1)];
  assert.deepEqual(expiredRecordings(files, { maxTotalBytes: 50, maxAgeMs: 1 * DAY }, now), ['done']);
});
