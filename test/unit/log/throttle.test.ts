// Log throttling per address: the first records of a window are written, the rest summarized once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressThrottle } from '../../../server/src/log/throttle.ts';

interface Summary {
  from: string | undefined;
  suppressed: number;
  since: number;
}

function throttle(options: { perWindow: number; windowMs: number; maxAddresses: number }): {
  throttle: AddressThrottle;
  summaries: Summary[];
  advance: (ms: number) => void;
} {
  let time = 5_000;
  const summaries: Summary[] = [];
  const instance = new AddressThrottle({ ...options, now: () => time }, (from, suppressed, since) =>
    summaries.push({ from, suppressed, since }),
  );
  return { throttle: instance, summaries, advance: (ms) => void (time += ms) };
}

test('an address gets its first records of a window, then none', () => {
  const { throttle: t } = throttle({ perWindow: 2, windowMs: 1000, maxAddresses: 10 });
  assert.deepEqual([t.admit('a'), t.admit('a'), t.admit('a'), t.admit('b')], [true, true, false, true]);
});

test('the records left out are summarized once when the window ends', () => {
  const { throttle: t, summaries, advance } = throttle({ perWindow: 1, windowMs: 1000, maxAddresses: 10 });
  for (let i = 0; i < 4; i += 1) t.admit('a');
  t.admit('quiet');
  advance(999);
  t.flush();
  assert.deepEqual(summaries, [], 'the window is not over yet');
  advance(1);
  t.flush();
  assert.deepEqual(
    summaries,
    [{ from: 'a', suppressed: 3, since: 5_000 }],
    'no summary for nothing left out',
  );
  assert.equal(t.admit('a'), true, 'a new window admits again');
});

test('a record arriving after its window ended writes the summary and starts a new window', () => {
  const { throttle: t, summaries, advance } = throttle({ perWindow: 1, windowMs: 1000, maxAddresses: 10 });
  t.admit(undefined);
  t.admit(undefined);
  advance(1000);
  assert.equal(t.admit(undefined), true);
  assert.deepEqual(summaries, [{ from: 'unknown', suppressed: 1, since: 5_000 }]);
});

test('beyond maxAddresses records are counted together under no address', () => {
  const { throttle: t, summaries, advance } = throttle({ perWindow: 5, windowMs: 1000, maxAddresses: 2 });
  assert.equal(t.admit('a'), true);
  assert.equal(t.admit('b'), true);
  assert.equal(t.admit('c'), false, 'no slot is free for a third address');
  assert.equal(t.admit('d'), false);
  advance(1000);
  t.flush();
  assert.deepEqual(summaries, [{ from: undefined, suppressed: 2, since: 5_000 }]);
  assert.equal(t.admit('c'), true, 'slots are free again once the windows ended');
});

test('flushing with an infinite time ends every window', () => {
  const { throttle: t, summaries } = throttle({ perWindow: 0, windowMs: 60_000, maxAddresses: 10 });
  t.admit('a');
  t.flush(Number.POSITIVE_INFINITY);
  assert.deepEqual(summaries, [{ from: 'a', suppressed: 1, since: 5_000 }]);
});
