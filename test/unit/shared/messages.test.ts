import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ErrorCode,
  ProtocolError,
  parseClientMessage,
  parseServerMessage,
  parseWith,
  createSessionRequestSchema,
} from '@shellgate/shared';

function rejects(text: string, code: string, pattern: RegExp): void {
  assert.throws(
    () => parseClientMessage(text),
    (error: unknown) => error instanceof ProtocolError && error.code === code && pattern.test(error.message),
  );
}

describe('client messages', () => {
  test('every client message type parses when well formed', () => {
    assert.deepEqual(parseClientMessage('{"type":"input","data":"2+3\\n"}'), {
      type: 'input',
      data: '2+3\n',
    });
    assert.deepEqual(parseClientMessage('{"type":"close-stdin"}'), { type: 'close-stdin' });
    assert.deepEqual(parseClientMessage('{"type":"signal","signal":"SIGINT"}'), {
      type: 'signal',
      signal: 'SIGINT',
    });
    assert.deepEqual(parseClientMessage('{"type":"terminate","gracePeriodMs":250}'), {
      type: 'terminate',
      gracePeriodMs: 250,
    });
    assert.deepEqual(parseClientMessage('{"type":"terminate"}'), { type: 'terminate' });
    assert.deepEqual(parseClientMessage('{"type":"resize","cols":120,"rows":40}'), {
      type: 'resize',
      cols: 120,
      rows: 40,
    });
    assert.deepEqual(parseClientMessage('{"type":"ack","offset":1048576}'), { type: 'ack', offset: 1048576 });
  });

  test('malformed JSON is refused as INVALID_REQUEST', () => {
    rejects('{"type":', ErrorCode.InvalidRequest, /not valid JSON/);
  });

  test('a message without a string type is refused', () => {
    rejects('[1,2]', ErrorCode.InvalidRequest, /"type" must be a string/);
    rejects('{"type":7}', ErrorCode.InvalidRequest, /"type" must be a string/);
  });

  test('an unknown type is refused with UNKNOWN_MESSAGE_TYPE naming it', () => {
    rejects('{"type":"spawn"}', ErrorCode.UnknownMessageType, /unknown message type "spawn"/);
  });

  test('a field of the wrong kind is named in the error', () => {
    rejects('{"type":"input","data":5}', ErrorCode.InvalidRequest, /"input" message: data:/);
    rejects('{"type":"ack","offset":-1}', ErrorCode.InvalidRequest, /offset:/);
    rejects('{"type":"ack","offset":1.5}', ErrorCode.InvalidRequest, /offset:/);
  });

  test('a signal outside the allowlist is refused as INVALID_SIGNAL, naming the allowed ones', () => {
    rejects(
      '{"type":"signal","signal":"SIGSEGV"}',
      ErrorCode.InvalidSignal,
      /"SIGSEGV" is not allowed.*SIGINT/,
    );
    rejects('{"type":"signal","signal":"INT"}', ErrorCode.InvalidSignal, /"INT" is not allowed/);
    rejects('{"type":"signal","signal":9}', ErrorCode.InvalidRequest, /signal:/);
  });

  test('terminal sizes outside sane bounds are refused', () => {
    rejects('{"type":"resize","cols":0,"rows":24}', ErrorCode.InvalidRequest, /cols:/);
    rejects('{"type":"resize","cols":80,"rows":100000}', ErrorCode.InvalidRequest, /rows:/);
  });

  test('unknown extra fields are refused rather than ignored', () => {
    rejects('{"type":"close-stdin","env":{"PATH":"/tmp"}}', ErrorCode.InvalidRequest, /env|Unrecognized/);
  });
});

describe('server messages', () => {
  test('an exit message parses and a malformed one is refused', () => {
    assert.deepEqual(parseServerMessage('{"type":"exit","code":null,"signal":"SIGKILL"}'), {
      type: 'exit',
      code: null,
      signal: 'SIGKILL',
    });
    assert.throws(() => parseServerMessage('{"type":"gap","from":"a","to":2}'), ProtocolError);
  });
});

describe('HTTP request bodies', () => {
  test('a create-session request with args of the wrong kind names the field', () => {
    assert.throws(
      () => parseWith(createSessionRequestSchema, { profile: 'bc', args: [1] }, 'request body'),
      /invalid request body: args\.0:/,
    );
  });
});
