import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Process, ProcessError, TimeoutError, withTimeout } from '../../../server/src/process/index.ts';
import { Cleanup } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function isTimeout(ms: number) {
  return (error: unknown): boolean =>
    error instanceof TimeoutError &&
    error instanceof Error &&
    error.code === 'ETIMEDOUT' &&
    error.timeoutMs === ms;
}

test('withTimeout resolves with the result when fn finishes in time', async () => {
  assert.equal(await withTimeout(1000, (a: number, b: number) => a + b, 2, 3), 5);
  assert.equal(await withTimeout(1000, () => Promise.resolve('async')), 'async');
});

test('withTimeout passes an AbortSignal as the last argument', async () => {
  const seen = await withTimeout(1000, (name: string, signal: AbortSignal) => [name, signal.aborted], 'x');
  assert.deepEqual(seen, ['x', false]);
});

test('withTimeout rejects with TimeoutError and aborts the signal when fn takes longer', async () => {
  let signal: AbortSignal | undefined;
  await assert.rejects(
    withTimeout(50, (s) => {
      signal = s;
      return sleep(5000, undefined, { signal: s });
    }),
    isTimeout(50),
  );
  assert.equal(signal?.aborted, true);
  assert.ok(signal?.reason instanceof TimeoutError);
});

test('sub-second timeouts work', async () => {
  const started = Date.now();
  await assert.rejects(
    withTimeout(30, (signal) => sleep(10_000, undefined, { signal })),
    isTimeout(30),
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 25 && elapsed < 5_000, `took ${elapsed} ms`); // far below the 10 s sleep
});

test('a nested call with a longer timeout is still interrupted by the outer one', async () => {
  const started = Date.now();
  let inner: unknown;
  await assert.rejects(
    withTimeout(100, async () => {
      try {
        await withTimeout(10_000, (signal) => sleep(20_000, undefined, { signal }));
      } catch (error) {
        inner = error;
        throw error;
      }
    }),
    isTimeout(100),
  );
  assert.ok(isTimeout(100)(inner), 'the inner call failed with the outer deadline');
  assert.ok(Date.now() - started < 5000);
});

test('a nested call with a shorter timeout times out alone and the outer call goes on', async () => {
  const result = await withTimeout(5000, async () => {
    await assert.rejects(
      withTimeout(30, (signal) => sleep(10_000, undefined, { signal })),
      isTimeout(30),
    );
    return 'outer survived';
  });
  assert.equal(result, 'outer survived');
});

test('promises are tracked only while a call runs, not for the rest of the process', async () => {
  const fixture = fileURLToPath(new URL('../../fixtures/promise-tracking.ts', import.meta.url));
  const p = cleanup.process(new Process([process.execPath, '--import', 'tsx', fixture]));
  const status = await p.wait();
  assert.deepEqual(status, { code: 0, signal: null }, p.readErr().toString());
  // During: the outer call still carries its deadline after the inner one returned.
  assert.deepEqual(JSON.parse(p.read().toString()), { before: false, during: true, after: false });
});

test('withTimeout passes on what fn throws or rejects with', async () => {
  const boom = new Error('boom');
  await assert.rejects(
    withTimeout(1000, () => {
      throw boom;
    }),
    (error) => error === boom,
  );
  await assert.rejects(
    withTimeout(1000, () => Promise.reject(boom)),
    (error) => error === boom,
  );
});

test('withTimeout rejects an invalid timeout with a message naming it', async () => {
  await assert.rejects(
    withTimeout(-5, () => 1),
    (error: unknown) => error instanceof ProcessError && error.code === 'EINVAL' && /ms/.test(error.message),
  );
});

test('withTimeout bounds waiting for a process without ending it', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  await assert.rejects(
    withTimeout(100, () => p.wait()),
    isTimeout(100),
  );
  assert.equal(p.poll(), null);
  assert.equal((await p.terminate({ gracePeriodMs: 200 })).stage, 'SIGTERM');
});
