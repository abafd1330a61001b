import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, ProcessError, readProcStat } from '../../../server/src/process/index.ts';
import { Cleanup, isAlive, liveInGroup, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

// A shell with two grandchildren, printing their pids once both run.
const SHELL_WITH_JOBS = ['sh', '-c', 'sleep 100 & a=$!; sleep 100 & echo $a $!; wait'];

async function grandchildren(p: Process): Promise<number[]> {
  let printed = '';
  await waitUntil('the shell printed its jobs', () => {
    printed += p.read().toString();
    return printed.includes('\n');
  });
  return printed.trim().split(' ').map(Number);
}

test('a detached process runs in its own process group', async () => {
  const p = cleanup.process(new Process(['sleep', '100'], { detached: true }));
  await sleep(20);
  assert.equal(readProcStat(p.pid)?.pgrp, p.pid);
  cleanup.group(p.pid);
});

test('terminate on a detached shell leaves no descendant alive', async () => {
  const p = cleanup.process(new Process(SHELL_WITH_JOBS, { detached: true }));
  cleanup.group(p.pid);
  const jobs = await grandchildren(p);
  assert.equal(jobs.length, 2);
  assert.equal(liveInGroup(p.pid).length, 3);
  const result = await p.terminate({ gracePeriodMs: 200 });
  assert.equal(result.stage, 'SIGTERM');
  await waitUntil('the group is empty', () => liveInGroup(p.pid).length === 0, 10_000);
});

test('kill on a detached shell reaches the whole group', async () => {
  const p = cleanup.process(new Process(SHELL_WITH_JOBS, { detached: true }));
  cleanup.group(p.pid);
  await grandchildren(p);
  p.kill('SIGKILL');
  assert.deepEqual(await p.wait(), { code: null, signal: 'SIGKILL' });
  await waitUntil('the group is empty', () => liveInGroup(p.pid).length === 0, 10_000);
});

test('without detached, kill signals only the child and its grandchildren survive', async () => {
  const p = cleanup.process(new Process(SHELL_WITH_JOBS));
  const jobs = await grandchildren(p);
  for (const pid of jobs) cleanup.pid(pid);
  p.kill('SIGKILL');
  await p.wait();
  assert.ok(
    jobs.every((pid) => readProcStat(pid)?.state !== 'Z'),
    'the grandchildren still run: this is why the server spawns detached',
  );
});

test('terminate kills what is left of the group when the leader exits on end-of-file', async () => {
  // The shell reads until end-of-file and exits, leaving a background job that ignores SIGTERM.
  const p = cleanup.process(
    new Process(['sh', '-c', '(trap "" TERM; exec sleep 100) & echo $!; while read -r line; do :; done'], {
      detached: true,
    }),
  );
  cleanup.group(p.pid);
  let printed = '';
  await waitUntil('the job started', () => (printed += p.read().toString()).includes('\n'));
  assert.equal(liveInGroup(p.pid).length, 2);
  const result = await p.terminate({ gracePeriodMs: 200 });
  assert.deepEqual(result, { code: 0, signal: null, stage: 'stdin' });
  await waitUntil('the group is empty', () => liveInGroup(p.pid).length === 0, 10_000);
});

test('killGroupOnExit kills what a detached child left in its group when it exits by itself', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'sleep 1000 & echo started $!'], { detached: true, killGroupOnExit: true }),
  );
  cleanup.group(p.pid);
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
  const job = Number(/started (\d+)/.exec(p.read().toString())?.[1]);
  cleanup.pid(job);
  await waitUntil('the group is empty', () => liveInGroup(p.pid).length === 0, 10_000);
  assert.ok(!isAlive(job), 'the sleep is gone');
});

test('without killGroupOnExit what a detached child left in its group keeps running', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'sleep 1000 & echo started $!'], { detached: true }));
  cleanup.group(p.pid);
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
  const job = Number(/started (\d+)/.exec(p.read().toString())?.[1]);
  cleanup.pid(job);
  assert.ok(job > 0);
  assert.equal(readProcStat(job)?.comm, 'sleep', 'the sleep still runs');
  assert.deepEqual(
    liveInGroup(p.pid).map((info) => info.pid),
    [job],
  );
});

test('killGroupOnExit without detached is rejected: the child has no group of its own', () => {
  assert.throws(
    () => new Process(['true'], { killGroupOnExit: true }),
    (error: unknown) =>
      error instanceof ProcessError &&
      error.code === 'EINVAL' &&
      /requires detached: true/.test(error.message),
  );
});
