import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, ProcessError, type TerminateStage } from '../../../server/src/process/index.ts';
import { Cleanup } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const gracePeriodMs = 200;
/**
 * Where a test expects an early stage to be enough, a grace period a loaded machine cannot
 * overrun: the child has to be scheduled, exec and react within it.
 */
const GENEROUS_GRACE_MS = 10_000;
// Ignores end-of-file (never reads stdin) and SIGTERM: an ignored signal stays ignored across exec.
const STUBBORN = ['sh', '-c', 'trap "" TERM; exec sleep 100'];

test('terminate stops at closing stdin when the child exits on end-of-file', async () => {
  const p = cleanup.process(new Process(['cat']));
  const stages: TerminateStage[] = [];
  const result = await p.terminate({ gracePeriodMs: GENEROUS_GRACE_MS, onStage: (stage) => stages.push(stage) });
  assert.deepEqual(result, { code: 0, signal: null, stage: 'stdin' });
  assert.deepEqual(stages, ['stdin']);
});

test('terminate escalates to SIGTERM when the child ignores end-of-file', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  const stages: TerminateStage[] = [];
  const started = Date.now();
  const result = await p.terminate({ gracePeriodMs, onStage: (stage) => stages.push(stage) });
  assert.deepEqual(result, { code: null, signal: 'SIGTERM', stage: 'SIGTERM' });
  assert.deepEqual(stages, ['stdin', 'SIGTERM']);
  assert.ok(Date.now() - started >= gracePeriodMs - 20, 'it waited the grace period after closing stdin');
});

test('terminate escalates to SIGKILL when the child ignores SIGTERM', async () => {
  const p = cleanup.process(new Process(STUBBORN));
  await sleep(50); // let the shell install the trap
  const stages: TerminateStage[] = [];
  const started = Date.now();
  const result = await p.terminate({ gracePeriodMs, onStage: (stage) => stages.push(stage) });
  assert.deepEqual(result, { code: null, signal: 'SIGKILL', stage: 'SIGKILL' });
  assert.deepEqual(stages, ['stdin', 'SIGTERM', 'SIGKILL']);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 2 * gracePeriodMs - 20 && elapsed < 10_000, `took ${elapsed} ms`);
});

test('terminate skips closing stdin when stdin is not a pipe', async () => {
  const p = cleanup.process(new Process(['sleep', '100'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const stages: TerminateStage[] = [];
  const started = Date.now();
  const result = await p.terminate({ gracePeriodMs: 5000, onStage: (stage) => stages.push(stage) });
  assert.equal(result.stage, 'SIGTERM');
  assert.deepEqual(stages, ['SIGTERM']);
  assert.ok(Date.now() - started < 4000, 'no grace period was spent on stdin');
});

test('terminate waits one second per step by default', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  const started = Date.now();
  const result = await p.terminate();
  const elapsed = Date.now() - started;
  assert.equal(result.stage, 'SIGTERM');
  assert.ok(elapsed >= 950 && elapsed < 10_000, `took ${elapsed} ms`);
});

test('terminate on a process that has already exited just returns its status', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'exit 5']));
  await p.wait();
  const stages: TerminateStage[] = [];
  const result = await p.terminate({ onStage: (stage) => stages.push(stage) });
  assert.deepEqual(result, { code: 5, signal: null, stage: null });
  assert.deepEqual(stages, []);
});

test('terminate called again while it runs joins the escalation under way', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  const stages: TerminateStage[] = [];
  const first = p.terminate({ gracePeriodMs, onStage: (stage) => stages.push(stage) });
  const second = p.terminate({ gracePeriodMs: 60_000, onStage: (stage) => stages.push(stage) });
  const started = Date.now();
  assert.deepEqual(await second, await first);
  assert.equal((await second).stage, 'SIGTERM');
  assert.ok(Date.now() - started < 10_000, 'the second call did not start its own, slower escalation');
  assert.deepEqual(stages, ['stdin', 'SIGTERM']);
});

test('terminate resolves only once all output is available to read', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'trap "echo bye; exit 0" TERM; echo hi; while :; do sleep 0.05; done']),
  );
  while (p.read().length === 0) await sleep(5); // the trap is installed once "hi" is out
  // The stdin stage waits it out in full; the trap then runs once the current sleep ends.
  const result = await p.terminate({ gracePeriodMs: 1500 });
  assert.deepEqual(result, { code: 0, signal: null, stage: 'SIGTERM' });
  assert.equal(p.read().toString(), 'bye\n');
});

test('terminate rejects an invalid grace period with a message naming it', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  await assert.rejects(
    p.terminate({ gracePeriodMs: -1 }),
    (error: unknown) =>
      error instanceof ProcessError && error.code === 'EINVAL' && /gracePeriodMs/.test(error.message),
  );
  assert.equal(p.poll(), null);
});
