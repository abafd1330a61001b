// The /proc reader the core and the test helpers share.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { Process, readProcStat, runningProcesses } from '../../../server/src/process/index.ts';
import { Cleanup, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('readProcStat reads this process: its parent, group and session', () => {
  const stat = readProcStat(process.pid);
  assert.ok(stat !== null);
  assert.equal(stat.pid, process.pid);
  assert.equal(stat.ppid, process.ppid);
  // In a container whose group or session leader lives outside its pid namespace the kernel
  // shows 0 for them (CI runs so), so only a detached child's ids are compared exactly (below).
  assert.ok(Number.isInteger(stat.pgrp) && stat.pgrp >= 0);
  assert.ok(Number.isInteger(stat.session) && stat.session >= 0);
  assert.notEqual(stat.state, 'Z');
});

test('readProcStat reads a command name with spaces and parentheses whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'proc-test-'));
  try {
    // The kernel keeps the first 15 bytes of the program's file name as comm.
    const program = join(dir, 'a) b (c');
    symlinkSync('/bin/sleep', program);
    const p = cleanup.process(await Process.spawn([program, '100'], { detached: true }));
    await waitUntil('the child runs the program', () => readProcStat(p.pid)?.comm === 'a) b (c');
    const stat = readProcStat(p.pid);
    assert.deepEqual(
      { ppid: stat?.ppid, pgrp: stat?.pgrp, session: stat?.session },
      { ppid: process.pid, pgrp: p.pid, session: p.pid },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readProcStat returns null for a process that is gone', async () => {
  const p = await Process.spawn(['true']);
  await p.wait();
  // Reaped: its pid is free, and almost certainly unused a moment later.
  const stat = readProcStat(p.pid);
  assert.ok(stat === null || stat.comm !== 'true');
});

test('runningProcesses lists live processes, this one included, and leaves zombies out', () => {
  const all = runningProcesses();
  assert.ok(all !== null);
  assert.ok(all.some((stat) => stat.pid === process.pid));
  assert.ok(all.every((stat) => stat.state !== 'Z' && stat.state !== 'X'));
});
