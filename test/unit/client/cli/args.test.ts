import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONNECTION_OPTIONS, parseCommand, parseCount } from '../../../../client/src/args.ts';
import { splitCommandLine } from '../../../../client/src/command-names.ts';
import { ClientError } from '../../../../client/src/errors.ts';

const EXEC = { ...CONNECTION_OPTIONS, tty: { type: 'boolean', short: 't' } } as const;

test("exec's options end at PROFILE: the remote command keeps its own options", () => {
  const parsed = parseCommand(['-t', '--url', 'http://x', 'sh', '-c', 'ls -l', '--tty'], EXEC, 'usage', true);
  assert.equal(parsed.values.tty, true);
  assert.equal(parsed.values.url, 'http://x');
  assert.deepEqual(parsed.positionals, ['sh', '-c', 'ls -l', '--tty']);
  assert.deepEqual(parseCommand(['--', '-odd-profile', 'a'], EXEC, 'usage', true).positionals, [
    '-odd-profile',
    'a',
  ]);
});

test('an unknown option is a usage error naming it', () => {
  assert.throws(
    () => parseCommand(['--token', 'x'], EXEC, 'usage: here', true),
    (error: unknown) =>
      error instanceof ClientError && error.code === 'USAGE' && /'--token'/.test(error.message),
  );
});

test('counts are decimal integers within their bound', () => {
  assert.equal(parseCount('offset', '42'), 42);
  assert.equal(parseCount('offset', undefined), undefined);
  for (const text of ['-1', '1.5', '1e3', '', 'x']) {
    assert.throws(() => parseCount('offset', text), /invalid --offset/);
  }
  assert.throws(() => parseCount('grace', '60001', 60_000), /from 0 to 60000/);
});

test('a session id that begins with "-" is an operand, wherever it stands', () => {
  const id = '-Xk9_aZ0b1c2d3e4f5g6h7i8';
  const OPTIONS = { ...CONNECTION_OPTIONS, control: { type: 'boolean' } } as const;
  assert.deepEqual(parseCommand([id], OPTIONS, 'usage').positionals, [id]);
  const parsed = parseCommand([id, '--control'], OPTIONS, 'usage');
  assert.deepEqual(parsed.positionals, [id]);
  assert.equal(parsed.values.control, true);
  assert.throws(() => parseCommand(['-Xk'], OPTIONS, 'usage: here'), /Unknown option '-X'/);
});

test('gateway options before the command are moved in front of its own arguments', () => {
  assert.deepEqual(splitCommandLine(['--url', 'http://x', '--insecure', 'exec', '-t', 'sh', '--url', 'y']), {
    command: 'exec',
    args: ['--url', 'http://x', '--insecure', '-t', 'sh', '--url', 'y'],
  });
  assert.deepEqual(splitCommandLine(['--url=http://x', '--token-file', 'f', '--ca', 'c', 'ls', '--json']), {
    command: 'ls',
    args: ['--url=http://x', '--token-file', 'f', '--ca', 'c', '--json'],
  });
  assert.deepEqual(splitCommandLine(['ls', '--url', 'u']), { command: 'ls', args: ['--url', 'u'] });
  // Anything else ends them: the word after is the command, whatever it is.
  assert.deepEqual(splitCommandLine(['--port', '1', 'ls']), { command: '--port', args: ['1', 'ls'] });
  assert.deepEqual(splitCommandLine(['--url']), { command: undefined, args: ['--url'] });
  assert.deepEqual(splitCommandLine([]), { command: undefined, args: [] });
});
