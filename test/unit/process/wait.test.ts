import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, withTimeout, type ExitStatus } from '../../../server/src/process/index.ts';
import { Cleanup, isAlive } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('wait resolves with the exit code and all output available to read', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'echo out; echo err >&2; exit 7']));
  assert.deepEqual(await p.wait(), { code: 7, signal: null });
  assert.deepEqual(
    p.readBoth().map((data) => data.toString()),
    ['out\n', 'err\n'],
  );
});

test('wait reports the signal when the process was killed by one', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  p.kill('SIGKILL');
  assert.deepEqual(await p.wait(), { code: null, signal: 'SIGKILL' });
});

test('wait can be called any number of times and always gives the same status', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'exit 3']));
  const first = await p.wait();
  const second = await p.wait();
  assert.equal(second, first);
  assert.deepEqual(await Promise.all([p.wait(), p.wait()]), [first, first]);
  assert.deepEqual(first, { code: 3, signal: null });
});

test('poll returns null while the process runs and the status once it has terminated', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'read line; exit 4']));
  assert.equal(p.poll(), null);
  await sleep(50);
  assert.equal(p.poll(), null);
  p.write('go\n');
  const status = await p.wait();
  assert.equal(p.poll(), status);
  assert.deepEqual(p.poll(), { code: 4, signal: null });
});

test('pid is the id of the running child and stays readable after exit', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  assert.ok(Number.isInteger(p.pid) && p.pid > 0);
  assert.ok(isAlive(p.pid));
  const pid = p.pid;
  p.kill('SIGKILL');
  await p.wait();
  assert.equal(p.pid, pid);
});

test('onExit fires after the last chunk of output has been delivered', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'echo one; echo two >&2; echo three']));
  const events: string[] = [];
  const received = { stdout: '', stderr: '' };
  p.onOutput((chunk) => {
    events.push('chunk');
    received[chunk.stream] += chunk.data.toString();
  });
  const exited = new Promise<ExitStatus>((resolve) => p.onExit(resolve));
  p.onExit(() => events.push('exit'));
  assert.deepEqual(await exited, { code: 0, signal: null });
  assert.equal(events.at(-1), 'exit');
  assert.equal(events.indexOf('exit'), events.length - 1);
  assert.deepEqual(received, { stdout: 'one\nthree\n', stderr: 'two\n' });
});

test('onExit subscribed after the process was waited for still fires, and dispose cancels it', async () => {
  const p = cleanup.process(new Process(['true']));
  await p.wait();
  const status = await new Promise<ExitStatus>((resolve) => p.onExit(resolve));
  assert.deepEqual(status, { code: 0, signal: null });
  let fired = false;
  p.onExit(() => (fired = true)).dispose();
  await sleep(10);
  assert.equal(fired, false);
});

test('a grandchild that keeps stdout open does not make wait hang after the child exited', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'sleep 100 & echo $!']));
  const started = Date.now();
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
  assert.ok(Date.now() - started < 5000, 'wait gave up on the inherited pipe');
  const grandchild = Number(p.read().toString());
  cleanup.pid(grandchild);
  assert.ok(isAlive(grandchild), 'the grandchild still runs: only its pipe was abandoned');
});

test('a caller polling read() faster than the drain period still gets wait to resolve', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'sleep 100 & echo $!']));
  let output = '';
  // Reading is not output: polling with nothing to read must not restart the quiet period.
  const poller = setInterval(() => (output += p.read().toString()), 20);
  try {
    // Rejects with TimeoutError (failing the test) if the polling keeps the drain from ending.
    assert.deepEqual(await withTimeout(5000, () => p.wait()), { code: 0, signal: null });
  } finally {
    clearInterval(poller);
  }
  cleanup.pid(Number(output + p.read().toString()));
});

test('time during which output is paused does not count against the drain after exit', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'sleep 100 & echo $!; echo last']));
  p.pauseOutput();
  let resolved = false;
  void p.wait().then(() => (resolved = true));
  // Long past the drain timeout: the exit happened, but reading is held back.
  await sleep(800);
  assert.equal(resolved, false);
  p.resumeOutput();
  await p.wait();
  const [pid, last] = p.read().toString().split('\n');
  cleanup.pid(Number(pid));
  assert.equal(last, 'last', 'output written before exit was not lost while paused');
});

test('output still arriving after exit is delivered before wait resolves', async () => {
  // The grandchild writes after its parent has exited, then closes the pipe by exiting.
  const p = cleanup.process(new Process(['sh', '-c', '(sleep 0.1; echo late) & echo early']));
  await p.wait();
  assert.equal(p.read().toString(), 'early\nlate\n');
});
