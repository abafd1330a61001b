// What stdin accepts: nothing once closed, nothing beyond the queue bound, nothing beyond the rate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import { InputGate } from '../../../server/src/sessions/input-gate.ts';

const refusedWith = (code: ErrorCode) => (error: unknown) =>
  error instanceof ProtocolError && error.code === code;

test('input within the queue bound and the rate is admitted', () => {
  const gate = new InputGate({ inputBytesPerSecond: 1000, maxPendingInputBytes: 500 });
  assert.doesNotThrow(() => gate.admit(100, 0));
});

test('input that would overfill what the process has not read is refused, naming the bound', () => {
  const gate = new InputGate({ inputBytesPerSecond: 1_000_000, maxPendingInputBytes: 500 });
  assert.throws(
    () => gate.admit(101, 400),
    (error: unknown) => {
      assert.ok(refusedWith(ErrorCode.InputQueueFull)(error));
      assert.match(String(error), /maxPendingInputBytes is 500/);
      return true;
    },
  );
});

test('input beyond one second of the rate is refused until the bucket refills', () => {
  const gate = new InputGate({ inputBytesPerSecond: 1000, maxPendingInputBytes: 1_000_000 });
  gate.admit(1000, 0);
  assert.throws(() => gate.admit(200, 0), refusedWith(ErrorCode.RateLimited));
});

test('once closed, stdin admits nothing, not even an empty write', () => {
  const gate = new InputGate({ inputBytesPerSecond: 1000, maxPendingInputBytes: 500 });
  assert.equal(gate.close(), true);
  assert.equal(gate.close(), false, 'closing twice reports that it was closed already');
  assert.equal(gate.open, false);
  assert.throws(() => gate.admit(0, 0), refusedWith(ErrorCode.StdinClosed));
});
