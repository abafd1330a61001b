import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CloseCode, RECONNECT, closeVerdict, reconnectDelay } from '@shellgate/shared';

test('each close code the gateway sends either retries or stops with a sentence', () => {
  const expected: Record<CloseCode, string> = {
    [CloseCode.Normal]: 'stop closed: closed by the gateway: done (1000)',
    [CloseCode.GoingAway]: 'retry',
    [CloseCode.ProtocolError]: 'stop refused: connection refused: done (1002)',
    [CloseCode.MessageTooLarge]: 'stop refused: connection refused: done (1009)',
    [CloseCode.InternalError]: 'retry',
    [CloseCode.SessionGone]: 'stop gone: the session is gone',
    [CloseCode.Unauthorized]: 'stop unauthorized: signed out',
    [CloseCode.ShareEnded]: 'stop unauthorized: the share link ended: done (4003)',
    [CloseCode.HeartbeatTimeout]: 'retry',
    [CloseCode.ClientNotReading]: 'retry',
    [CloseCode.NodeLost]: 'retry',
    [CloseCode.RateLimited]: 'retry',
  };
  for (const code of Object.values(CloseCode)) {
    const verdict = closeVerdict(code, 'done', false);
    const said = verdict.retry ? 'retry' : `stop ${verdict.reason}: ${verdict.detail}`;
    assert.equal(said, expected[code], `close code ${code}`);
  }
});

test('a close without a reason is described by its code', () => {
  assert.deepEqual(closeVerdict(CloseCode.Normal, '', false), {
    retry: false,
    reason: 'closed',
    detail: 'closed by the gateway: code 1000',
  });
});

test('codes the gateway never sends, such as a dropped connection, are retried', () => {
  assert.deepEqual(closeVerdict(1006, '', false), { retry: true });
  assert.deepEqual(closeVerdict(4999, 'odd', false), { retry: true });
});

test('after the exit a close that would be retried, or a normal one, ends the client', () => {
  for (const code of [CloseCode.Normal, CloseCode.GoingAway, CloseCode.HeartbeatTimeout, 1006]) {
    assert.deepEqual(closeVerdict(code, '', true), {
      retry: false,
      reason: 'ended',
      detail: 'session ended',
    });
  }
  assert.equal(closeVerdict(CloseCode.SessionGone, '', true).retry, false);
  const unauthorized = closeVerdict(CloseCode.Unauthorized, '', true);
  assert.ok(!unauthorized.retry && unauthorized.reason === 'unauthorized');
});

test('the backoff doubles from the base, stops at the maximum, and jitters into [half, all] of it', () => {
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const full = Math.min(RECONNECT.maxMs, RECONNECT.baseMs * 2 ** attempt);
    assert.equal(
      reconnectDelay(attempt, () => 0),
      Math.round(full / 2),
      `attempt ${attempt}, least jitter`,
    );
    const most = reconnectDelay(attempt, () => 0.999_999);
    assert.ok(most <= full && most >= full * 0.99, `attempt ${attempt}: ${most} near ${full}`);
    const any = reconnectDelay(attempt, Math.random);
    assert.ok(any >= full / 2 - 1 && any <= full, `attempt ${attempt}: ${any} within [${full / 2}, ${full}]`);
  }
  assert.equal(
    reconnectDelay(0, () => 0.999_999),
    RECONNECT.baseMs,
  );
  assert.equal(
    reconnectDelay(40, () => 0.999_999),
    RECONNECT.maxMs,
  );
});
