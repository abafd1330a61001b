import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { constants } from 'node:os';
import { Process, ProcessError } from '../../../server/src/process/index.ts';
import { loadNative } from '../../../server/src/process/native.ts';
import { Cleanup } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('kill sends SIGTERM by default', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  p.kill();
  assert.deepEqual(await p.wait(), { code: null, signal: 'SIGTERM' });
});

test('kill sends the signal given by name or number', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  p.kill('SIGINT');
  assert.deepEqual(await p.wait(), { code: null, signal: 'SIGINT' });
  const q = cleanup.process(new Process(['sleep', '100']));
  q.kill(9);
  assert.deepEqual(await q.wait(), { code: null, signal: 'SIGKILL' });
});

test('kill throws ECHILD once the process has been waited for', async () => {
  const p = cleanup.process(new Process(['true']));
  await p.wait();
  assert.throws(
    () => p.kill('SIGKILL'),
    (error: unknown) => error instanceof ProcessError && error.code === 'ECHILD',
  );
});

test('kill rejects an unknown signal with EINVAL and leaves the process alone', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  assert.throws(
    // @ts-expect-error: a signal name that does not exist
    () => p.kill('SIGNOPE'),
    (error: unknown) =>
      error instanceof ProcessError && error.code === 'EINVAL' && /SIGNOPE/.test(error.message),
  );
  assert.equal(p.poll(), null);
  p.kill('SIGKILL');
  await p.wait();
});

test('the addon signals a group and answers ESRCH for an empty one with its errno, not an exception', async () => {
  const addon = loadNative<{ signal(target: number, signal: number): number }>('spawn', ['signal']);
  if (addon instanceof Error) throw addon;
  const p = cleanup.process(await Process.spawn(['sleep', '100'], { detached: true }));
  assert.equal(addon.signal(-p.pid, 0), 0);
  assert.equal(addon.signal(-p.pid, constants.signals.SIGKILL), 0);
  assert.deepEqual(await p.wait(), { code: null, signal: 'SIGKILL' });
  assert.equal(addon.signal(-p.pid, 0), constants.errno.ESRCH);
  // The gateway's own group and every process it may signal are never a target.
  for (const target of [0, -1]) assert.throws(() => addon.signal(target, 0), /other than 0 and -1/);
});
