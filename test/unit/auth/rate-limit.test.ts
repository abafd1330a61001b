// Failed-authentication limiting: a fixed one-minute window per address, bounded in memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureLimiter } from '../../../server/src/auth/rate-limit.ts';

const MINUTE = 60_000;

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

test('an address is blocked once it has failed the allowed number of times in a window', () => {
  const time = clock();
  const limiter = new FailureLimiter(3, time.now);
  for (let i = 0; i < 2; i += 1) limiter.fail('10.0.0.1');
  assert.equal(limiter.blocked('10.0.0.1'), false);
  limiter.fail('10.0.0.1');
  assert.equal(limiter.blocked('10.0.0.1'), true);
  assert.equal(limiter.blocked('10.0.0.2'), false, 'other addresses are not affected');
});

test('the window ends exactly one minute after its first failure', () => {
  const time = clock();
  const limiter = new FailureLimiter(1, time.now);
  limiter.fail('a');
  time.advance(MINUTE - 1);
  assert.equal(limiter.blocked('a'), true, 'still inside the window');
  time.advance(1);
  assert.equal(limiter.blocked('a'), false, 'the window is over');
});

test('retryAfterSeconds is what is left of the window, rounded up; 0 when not blocked', () => {
  const time = clock();
  const limiter = new FailureLimiter(2, time.now);
  limiter.fail('a');
  assert.equal(limiter.retryAfterSeconds('a'), 0, 'one failure left');
  time.advance(10_500);
  limiter.fail('a');
  assert.equal(limiter.retryAfterSeconds('a'), 50, '49.5 s left of the window that began 10.5 s ago');
  time.advance(49_499);
  assert.equal(limiter.retryAfterSeconds('a'), 1);
  time.advance(1);
  assert.equal(limiter.retryAfterSeconds('a'), 0, 'the window is over');
});

test('failures in a later window start a new count', () => {
  const time = clock();
  const limiter = new FailureLimiter(2, time.now);
  limiter.fail('a');
  time.advance(MINUTE);
  limiter.fail('a');
  assert.equal(limiter.blocked('a'), false, 'the failure of the old window does not count');
  limiter.fail('a');
  assert.equal(limiter.blocked('a'), true);
});

test('memory is bounded: with every slot taken the oldest address is forgotten', () => {
  const time = clock();
  const limiter = new FailureLimiter(1, time.now);
  limiter.fail('first');
  // 10,000 addresses are tracked at once; these fill the rest and one more pushes out the oldest.
  for (let i = 0; i < 10_000; i += 1) limiter.fail(`guesser-${i}`);
  assert.equal(limiter.blocked('first'), false, 'the oldest address was forgotten');
  assert.equal(limiter.blocked('guesser-9999'), true);
  assert.equal(limiter.blocked('guesser-1'), true);
});
