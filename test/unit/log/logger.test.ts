// The structured log: its JSON shape, child loggers' bindings, levels, and redaction — a token,
// a cookie, an Authorization header never reach the output, wherever they sit in the fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, createLogger } from '../../../server/src/log/logger.ts';
import type { LogLevel } from '../../../server/src/log/logger.ts';

function capture(level: LogLevel = 'debug'): {
  lines: () => Array<Record<string, unknown>>;
  text: () => string;
  log: ReturnType<typeof createLogger>;
} {
  const raw: string[] = [];
  const log = createLogger(level, (line) => raw.push(line));
  return {
    log,
    text: () => raw.join(''),
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

test('one JSON object per line: time, level by name, msg, then the fields', () => {
  const { log, text, lines } = capture();
  log.info('listening', { host: '127.0.0.1', port: 8022 });
  assert.ok(text().endsWith('}\n'));
  assert.equal(text().split('\n').length, 2);
  const [line] = lines();
  assert.ok(line !== undefined);
  assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(
    { ...line, time: undefined },
    { time: undefined, level: 'info', msg: 'listening', host: '127.0.0.1', port: 8022 },
  );
});

test('errors are written as name, message and code', () => {
  const { log, lines } = capture();
  log.error('request failed', { error: Object.assign(new Error('boom'), { code: 'E_BOOM' }) });
  assert.deepEqual(lines()[0]?.error, { name: 'Error', message: 'boom', code: 'E_BOOM' });
});

test('a child logger carries its bindings on every line', () => {
  const { log, lines } = capture();
  const connection = log.child({ session: 'S1' }).child({ connection: 7 });
  connection.warn('websocket error', { detail: 'x' });
  assert.equal(lines()[0]?.session, 'S1');
  assert.equal(lines()[0]?.connection, 7);
  assert.equal(lines()[0]?.detail, 'x');
});

test('below the level nothing is written; silent writes nothing at all', () => {
  const warn = capture('warn');
  warn.log.info('not this');
  warn.log.debug('nor this');
  warn.log.warn('this');
  assert.deepEqual(
    warn.lines().map((line) => line.msg),
    ['this'],
  );
  const silent = capture('silent');
  silent.log.error('nothing');
  assert.equal(silent.text(), '');
});

test('secrets are redacted by path: tokens, cookies, Authorization headers, passwords', () => {
  const { log, text, lines } = capture();
  const secrets = {
    token: 'tok-top-level-0123456789',
    nested: 'tok-nested-0123456789',
    listed: 'tok-listed-0123456789',
    bearer: 'Bearer tok-header-0123456789',
    cookie: 'shellgate_session=cookie-value-0123456789',
    password: 'hunter2-0123456789',
  };
  log.info('everything at once', {
    token: secrets.token,
    principal: { name: 'alice', token: secrets.nested },
    config: { tokens: [{ name: 'alice', token: secrets.listed }] },
    headers: { authorization: secrets.bearer, cookie: secrets.cookie, host: 'ops.example' },
    request: { headers: { authorization: secrets.bearer, cookie: secrets.cookie } },
    password: secrets.password,
  });
  for (const secret of Object.values(secrets))
    assert.ok(!text().includes(secret.split(' ').pop() ?? ''), secret);
  const [line] = lines();
  assert.equal(line?.token, REDACTED);
  assert.deepEqual(line?.principal, { name: 'alice', token: REDACTED });
  assert.deepEqual(line?.headers, { authorization: REDACTED, cookie: REDACTED, host: 'ops.example' });
  // What is not secret is left as it was.
  assert.match(text(), /"host":"ops\.example"/);
});

test("redaction applies to a child logger's lines too", () => {
  const { log, text } = capture();
  log.child({ session: 'S1' }).info('login', { loginId: 'login-id-0123456789' });
  assert.ok(!text().includes('login-id-0123456789'));
});

test("redaction leaves the caller's fields as they were and reaches into arrays and headers", () => {
  const { log, text, lines } = capture();
  const fields = {
    argv: ['sh', '-c', 'true'],
    clients: [{ name: 'bob', headers: { 'set-cookie': 'sid=cookie-in-a-list-0123456789', accept: '*/*' } }],
    error: new Error('kept as an error'),
  };
  const before = structuredClone(fields);
  log.info('listed', fields);
  assert.ok(!text().includes('cookie-in-a-list-0123456789'));
  assert.deepEqual(fields.argv, before.argv);
  assert.deepEqual(fields.clients, before.clients, 'the caller still has its own values');
  const [line] = lines();
  assert.deepEqual(line?.argv, ['sh', '-c', 'true']);
  assert.deepEqual(line?.clients, [{ name: 'bob', headers: { 'set-cookie': REDACTED, accept: '*/*' } }]);
  assert.deepEqual(line?.error, { name: 'Error', message: 'kept as an error' });
});
