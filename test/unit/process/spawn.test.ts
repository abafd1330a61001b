import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Process, ProcessError } from '../../../server/src/process/index.ts';
import { Cleanup } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function spawnFailure(code: string, command: string, message: RegExp) {
  return (error: unknown): boolean =>
    error instanceof ProcessError &&
    error.code === code &&
    error.command === command &&
    message.test(error.message) &&
    error.cause instanceof Error;
}

test('Process.spawn resolves once the child has started', async () => {
  const p = cleanup.process(await Process.spawn(['sleep', '100']));
  assert.ok(p.pid > 0);
  assert.equal(p.poll(), null);
});

test('Process.spawn rejects with ENOENT naming a command that does not exist', async () => {
  await assert.rejects(
    Process.spawn(['no-such-command-xyz', 'arg']),
    spawnFailure('ENOENT', 'no-such-command-xyz', /"no-such-command-xyz": command not found/),
  );
});

test('Process.spawn rejects with EACCES for a file that is not executable', async () => {
  const file = fileURLToPath(new URL('../../fixtures/not-executable.txt', import.meta.url));
  await assert.rejects(Process.spawn(file), spawnFailure('EACCES', file, /permission denied/));
});

test('Process.spawn rejects naming the working directory when it does not exist', async () => {
  await assert.rejects(
    Process.spawn(['ls'], { cwd: '/no/such/dir' }),
    spawnFailure('ENOENT', 'ls', /working directory "\/no\/such\/dir"/),
  );
  await assert.rejects(
    Process.spawn(['ls'], { cwd: '/etc/passwd' }),
    spawnFailure('ENOTDIR', 'ls', /working directory "\/etc\/passwd"/),
  );
});

test('with the constructor a spawn failure rejects wait and terminate with the same error', async () => {
  const p = new Process(['no-such-command-xyz']);
  const error = await p.wait().then(
    () => null,
    (reason: unknown) => reason,
  );
  assert.ok(spawnFailure('ENOENT', 'no-such-command-xyz', /command not found/)(error));
  await assert.rejects(p.terminate(), (reason) => reason === error);
  await assert.rejects(p.wait(), (reason) => reason === error);
});

test('with the constructor pid-dependent calls throw the spawn failure and reads are empty', async () => {
  const p = new Process(['no-such-command-xyz']);
  // Even before the reason is known (child_process reports it a tick later; posix_spawn at once),
  // the calls already fail predictably.
  assert.throws(
    () => p.pid,
    (error: unknown) => error instanceof ProcessError && ['ESPAWN', 'ENOENT'].includes(error.code),
  );
  await p.wait().catch(() => {});
  const isFailure = (error: unknown): boolean => error instanceof ProcessError && error.code === 'ENOENT';
  assert.throws(() => p.pid, isFailure);
  assert.throws(() => p.kill(), isFailure);
  assert.throws(() => p.poll(), isFailure);
  assert.throws(() => p.write('x'), isFailure);
  assert.throws(() => p.closeInput(), isFailure);
  assert.deepEqual(p.readBoth(), [Buffer.alloc(0), Buffer.alloc(0)]);
});

test('a bad cwd with the constructor surfaces through wait like any spawn failure', async () => {
  const p = new Process(['ls'], { cwd: '/etc/passwd' });
  await assert.rejects(p.wait(), spawnFailure('ENOTDIR', 'ls', /working directory/));
});

test('a spawn failure nobody waits for is not an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    new Process(['no-such-command-xyz']);
    await sleep(50);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('an empty argv is rejected at once with EINVAL', () => {
  for (const argv of [[], '', ['']]) {
    assert.throws(
      () => new Process(argv),
      (error: unknown) =>
        error instanceof ProcessError && error.code === 'EINVAL' && /argv/.test(error.message),
    );
  }
});

test('a string argv is one program name, or a command line with shell', async () => {
  const p = cleanup.process(new Process('pwd', { cwd: '/tmp' }));
  await p.wait();
  assert.equal(p.read().toString(), '/tmp\n');
  const q = cleanup.process(new Process('echo $((6 * 7))', { shell: true }));
  await q.wait();
  assert.equal(q.read().toString(), '42\n');
});
