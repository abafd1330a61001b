import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ErrorCode,
  ProtocolError,
  parseClientMessage,
  parseServerMessage,
  parseWith,
  clientMessageSchema,
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

  test('an ack is accepted and refused exactly as the schema does', () => {
    // parseClientMessage checks acks by hand (they are sent all through a stream); the schema is
    // the reference it must agree with, value for value.
    const offsets = [
      '0',
      '-0',
      '1',
      '65536',
      '9007199254740991',
      '9007199254740992',
      '-1',
      '1.5',
      '1e3',
      '1e400',
      '"5"',
      'null',
      'true',
      '[]',
      '{}',
    ];
    const texts = [
      ...offsets.map((offset) => `{"type":"ack","offset":${offset}}`),
      ...offsets.map((offset) => `{"offset":${offset},"type":"ack"}`),
      '{"type":"ack"}',
      '{"type":"ack","offset":5,"extra":1}',
      '{"type":"ack","offset":5,"__proto__":{}}',
      '{"type":"ack","__proto__":{"offset":5}}',
      '{"type":"ack","Offset":5}',
    ];
    for (const text of texts) {
      const reference = clientMessageSchema.safeParse(JSON.parse(text));
      if (reference.success) {
        assert.deepEqual(parseClientMessage(text), reference.data, text);
      } else {
        assert.throws(() => parseClientMessage(text), ProtocolError, text);
      }
    }
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
