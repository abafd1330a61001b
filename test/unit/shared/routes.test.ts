import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ApiPath,
  matchStreamPath,
  streamPath,
  streamQueryInput,
  streamQuerySchema,
  streamUrl,
} from '@shellgate/shared';

test('the stream path escapes the id and the gateway matches it back', () => {
  assert.equal(streamPath('kX2m_-'), '/api/sessions/kX2m_-/stream');
  assert.equal(streamPath('a/b'), '/api/sessions/a%2Fb/stream');
  assert.equal(matchStreamPath(streamPath('kX2m_-')), 'kX2m_-');
  assert.equal(matchStreamPath('/api/sessions/x/stream/more'), undefined);
  assert.equal(matchStreamPath(`/api/sessions/${'a'.repeat(129)}/stream`), undefined);
});

test('stream URLs take the gateway URL, switch the scheme and carry only the given query fields', () => {
  assert.equal(streamUrl('http://127.0.0.1:8022', 'id'), 'ws://127.0.0.1:8022/api/sessions/id/stream');
  assert.equal(
    streamUrl('https://gw.example/', 'id', { offset: 0, role: 'view' }),
    'wss://gw.example/api/sessions/id/stream?offset=0&role=view',
  );
  assert.equal(
    streamUrl('ws://h:1', 'id', { role: 'control' }),
    'ws://h:1/api/sessions/id/stream?role=control',
  );
});

test('the API paths are the documented ones', () => {
  assert.deepEqual(
    [ApiPath.login, ApiPath.logout, ApiPath.whoami, ApiPath.profiles, ApiPath.sessions],
    ['/api/login', '/api/logout', '/api/whoami', '/api/profiles', '/api/sessions'],
  );
  assert.equal(ApiPath.session('a b'), '/api/sessions/a%20b');
  assert.equal(ApiPath.signal('id'), '/api/sessions/id/signal');
});

test('the stream query accepts decimal offsets and inputs up to 2^53 - 1 and the two roles, all optional', () => {
  const parse = (query: string) => streamQuerySchema.safeParse(streamQueryInput(new URLSearchParams(query)));
  assert.deepEqual(parse('').data, { offset: undefined, role: undefined, input: undefined });
  assert.deepEqual(parse('offset=0&role=view').data, { offset: 0, role: 'view', input: undefined });
  assert.equal(parse('input=3').data?.input, 3);
  assert.equal(parse(`offset=${Number.MAX_SAFE_INTEGER}`).data?.offset, Number.MAX_SAFE_INTEGER);
  assert.equal(parse('offset=7&offset=9').data?.offset, 7, 'the first value wins');
  for (const bad of [
    'offset=-1',
    'offset=abc',
    'offset=1e3',
    'offset=',
    'offset=9007199254740992',
    'offset=99999999999999999999',
    'role=admin',
    'role=',
    'input=-1',
    'input=yes',
  ]) {
    assert.equal(parse(bad).success, false, bad);
  }
});
