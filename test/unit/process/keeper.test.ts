// The keeper option (docs/process-core.md, "The keeper"): the program runs under shellgate-keeper,
// which leads its group and session; signals, exit status and output are what they were without
// it, and nothing the program started outlives it — even what left its group.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, ProcessError, PtyProcess, readProcStat } from '../../../server/src/process/index.ts';
import { Cleanup, isAlive, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
/** For the terminal test's waits: an interactive bash on a loaded machine can take seconds. */
const SLOW_MS = 15_000;
afterEach(() => cleanup.run());

/** Starts a pipe program under the keeper; it prints the pids it wants checked, one line. */
async function pids(p: Process | PtyProcess): Promise<number[]> {
  let printed = '';
  await waitUntil('the program printed its pids', () => {
    printed += p.read().toString();
    return /\d+\s*\n/.test(printed.replace(/\r/g, ''));
  });
  return printed.trim().split(/\s+/).map(Number);
}

test('the program runs as the keeper child, in the keeper group and session', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'echo $$; exec sleep 100'], { detached: true, keeper: true }),
  );
  cleanup.group(p.pid);
  const [program = 0] = await pids(p);
  const stat = readProcStat(program);
  assert.equal(stat?.ppid, p.pid, 'the keeper is its parent');
  assert.equal(stat?.pgrp, p.pid);
  assert.equal(stat?.session, p.pid);
});

test('the exit code and a signal death are the program own', async () => {
  const exited = cleanup.process(new Process(['sh', '-c', 'exit 7'], { detached: true, keeper: true }));
  assert.deepEqual(await exited.wait(), { code: 7, signal: null });
  const killed = cleanup.process(
    new Process(['sh', '-c', 'kill -USR1 $$'], { detached: true, keeper: true }),
  );
  assert.deepEqual(await killed.wait(), { code: null, signal: 'SIGUSR1' });
});

test('output written just before the exit all arrives', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'head -c 1000000 /dev/zero; echo end >&2'], { detached: true, keeper: true }),
  );
  await p.wait();
  assert.equal(p.read().length, 1_000_000);
  assert.equal(p.readErr().toString(), 'end\n');
});

test('a signal to the group reaches the program and its jobs, not the keeper', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'trap "echo got TERM; exit 3" TERM; echo $$; while :; do sleep 0.05; done'], {
      detached: true,
      keeper: true,
    }),
  );
  cleanup.group(p.pid);
  await pids(p);
  p.kill('SIGTERM');
  assert.deepEqual(await p.wait(), { code: 3, signal: null });
  assert.match(p.read().toString(), /got TERM/);
});

test('a process that left the group with setsid dies when the program exits', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'setsid sleep 100 & echo $!; sleep 0.3'], { detached: true, keeper: true }),
  );
  const [escaped = 0] = await pids(p);
  cleanup.pid(escaped);
  // $! is the background job, which calls setsid() a moment later.
  await waitUntil('it has a session of its own', () => readProcStat(escaped)?.session === escaped);
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
  await waitUntil('the setsid sleep is gone', () => !isAlive(escaped), 5000);
});

test('kill(SIGKILL) ends the program and what left its group, and reports SIGKILL', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'setsid sleep 100 & echo $!; exec sleep 100'], { detached: true, keeper: true }),
  );
  const [escaped = 0] = await pids(p);
  cleanup.pid(escaped);
  p.kill('SIGKILL');
  assert.deepEqual(await p.wait(), { code: null, signal: 'SIGKILL' });
  await waitUntil('the setsid sleep is gone', () => !isAlive(escaped), 5000);
});

test('terminate() escalating to SIGKILL leaves nothing of the program alive', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'trap "" TERM; setsid sleep 100 & echo $!; while :; do sleep 0.05; done'], {
      detached: true,
      keeper: true,
    }),
  );
  const [escaped = 0] = await pids(p);
  cleanup.pid(escaped);
  const result = await p.terminate({ gracePeriodMs: 100 });
  assert.equal(result.stage, 'SIGKILL');
  await waitUntil('the setsid sleep is gone', () => !isAlive(escaped), 5000);
});

test('on a terminal, Ctrl-C reaches the foreground job and other signals the shell own group', async () => {
  const p = cleanup.process(
    new PtyProcess(['bash', '--norc', '--noprofile', '-i'], {
      keeper: true,
      env: { ...process.env, PS1: '$ ' },
    }),
  );
  cleanup.group(p.pid);
  let text = '';
  // "=N=": the echo of the typed line shows "=$$=", never digits.
  const printed = async (): Promise<number> => {
    let pid = 0;
    await waitUntil(
      'the shell printed a pid',
      () => {
        text += p.read().toString();
        const found = /=(\d+)=/.exec(text);
        if (found === null) return false;
        pid = Number(found[1]);
        text = text.slice(found.index + found[0].length);
        return true;
      },
      SLOW_MS,
    );
    return pid;
  };
  p.write('trap "echo got-USR1" USR1; echo =$$=\n');
  const shell = await printed();
  p.write('setsid sleep 100 & echo =$!=; sleep 100\n');
  const escaped = await printed();
  cleanup.pid(escaped);
  const foreground = (): number | undefined => readProcStat(p.pid)?.tpgid;
  const shellGroup = readProcStat(shell)?.pgrp;
  // Running sleep, not the shell's fork of itself about to exec it (which would swallow Ctrl-C).
  const sleepInForeground = (): boolean => {
    const group = foreground();
    return group !== undefined && group !== shellGroup && readProcStat(group)?.comm === 'sleep';
  };
  await waitUntil('sleep runs in the foreground', sleepInForeground, SLOW_MS);
  p.kill('SIGINT'); // the foreground sleep, not the shell
  await waitUntil('the shell is back in the foreground', () => foreground() === shellGroup, SLOW_MS);
  // The terminal is the shell's again before bash has finished with the ended job, and a trapped
  // signal arriving in that window is dropped by bash itself (sent straight to its group from here,
  // it was lost in 3 of 14 runs on a loaded machine; a second one always arrived). So wait until it
  // has run another command: it has then read a new line, done with the ended job.
  p.write('echo =$$=\n');
  await printed();
  text = '';
  // To the shell's group: the keeper's own, or one job control made (the keeper passes it on).
  p.kill('SIGUSR1');
  // An interactive bash runs the trap once its line editor returns: press Enter until it has.
  for (let press = 0; press < 150 && !text.includes('got-USR1'); press += 1) {
    p.write('\n');
    await sleep(100);
    text += p.read().toString();
  }
  assert.match(text, /got-USR1/);
  const result = await p.terminate({ gracePeriodMs: 200 });
  assert.notEqual(result.stage, null);
  await waitUntil('the setsid sleep is gone', () => !isAlive(escaped), SLOW_MS);
});

test('keeper needs detached, a boolean and an absolute cgroup path', () => {
  assert.throws(
    () => new Process(['true'], { keeper: true }),
    (error: unknown) =>
      error instanceof ProcessError && error.code === 'EINVAL' && /detached: true/.test(error.message),
  );
  assert.throws(
    () => new Process(['true'], { detached: true, keeper: 'yes' as unknown as boolean }),
    /keeper must be a boolean, received "yes"/,
  );
  assert.throws(
    () => new Process(['true'], { detached: true, cgroup: '/sys/fs/cgroup/x' }),
    /cgroup requires keeper/,
  );
  assert.throws(
    () => new Process(['true'], { detached: true, keeper: true, cgroup: 'relative' }),
    /absolute/,
  );
});

test('a program that cannot be found is a spawn failure, as without the keeper', async () => {
  await assert.rejects(
    Process.spawn(['no-such-program-here'], { detached: true, keeper: true }),
    (error: unknown) => error instanceof ProcessError && error.code === 'ENOENT',
  );
  await assert.rejects(
    PtyProcess.spawn(['no-such-program-here'], { keeper: true }),
    (error: unknown) => error instanceof ProcessError && error.code === 'ENOENT',
  );
});
