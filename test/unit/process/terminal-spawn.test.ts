// How a terminal's program is started (server/native/terminal.c, terminal-spawn.ts): on a terminal
// of its own, in the modes and size asked for, as the leader of its session, without a thread, a
// fork or a descriptor left behind in this process.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, test } from 'node:test';
import { ProcessError, PtyProcess, readProcStat } from '../../../server/src/process/index.ts';
import { Cleanup, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const TERMINALS = 8;

const count = (directory: string): number => readdirSync(directory).length;

/** Everything the program printed, once it has exited. */
async function outputOf(pty: PtyProcess): Promise<string> {
  await pty.wait();
  return pty.read().toString();
}

test('terminals start and end without a thread or a descriptor left in this process', async () => {
  const descriptors = count('/proc/self/fd');
  // The first start brings up libuv's worker threads, which stay: count after it.
  await cleanup.process(await PtyProcess.spawn(['true'])).wait();
  const threads = count('/proc/self/task');
  // Its master closes as the reader's handle does, a turn of the loop after the end.
  await waitUntil('the first terminal is closed', () => count('/proc/self/fd') === descriptors);
  const running = await Promise.all(
    Array.from({ length: TERMINALS }, () => PtyProcess.spawn(['cat']).then((pty) => cleanup.process(pty))),
  );
  // node-pty waited for each program on a thread of its own; a pidfd on the event loop does here.
  assert.equal(count('/proc/self/task'), threads, 'no thread per running terminal');
  // Each running terminal holds its master, a duplicate for input and its pidfd; not the slave.
  assert.equal(count('/proc/self/fd'), descriptors + 3 * TERMINALS);
  await Promise.all(running.map((pty) => pty.terminate({ gracePeriodMs: 1000 })));
  await waitUntil(
    'every descriptor of the terminals is closed',
    () => count('/proc/self/fd') === descriptors,
  );
});

test('the program leads its session, with the terminal as its controlling terminal', async () => {
  const pty = cleanup.process(await PtyProcess.spawn(['sleep', '100']));
  await waitUntil('sleep runs', () => readProcStat(pty.pid)?.comm === 'sleep');
  const stat = readProcStat(pty.pid);
  assert.equal(stat?.session, pty.pid);
  assert.equal(stat?.pgrp, pty.pid);
  assert.equal(stat?.tpgid, pty.pid, 'its group is the terminal foreground');
});

test('the program sees the size, the modes a terminal starts in, $TERM and $PWD', async () => {
  const cwd = tmpdir();
  const pty = cleanup.process(
    await PtyProcess.spawn(['sh', '-c', 'stty -a; echo "TERM=$TERM PWD=$PWD"'], {
      cols: 91,
      rows: 37,
      name: 'vt220',
      cwd,
      env: { ...process.env, TERM: 'dumb', PWD: '/' },
    }),
  );
  const output = await outputOf(pty);
  assert.match(output, /rows 37; columns 91;/);
  assert.match(output, /intr = \^C; quit = \^\\; erase = \^\?; kill = \^U; eof = \^D;/);
  for (const mode of [
    'icrnl',
    'ixon',
    'iutf8',
    'opost',
    'onlcr',
    'icanon',
    'isig',
    'echo',
    'echoe',
    'echoctl',
  ])
    assert.match(output, new RegExp(`(^|\\s)${mode}(\\s|$)`, 'm'), mode);
  assert.match(output, /(^|\s)-ixoff(\s|$)/m);
  assert.ok(output.includes(`TERM=vt220 PWD=${cwd}`), output);
});

test("the gateway's own terminal variables stay out of a session that inherits its environment", async () => {
  const saved = { TMUX: process.env.TMUX, COLUMNS: process.env.COLUMNS };
  process.env.TMUX = '/tmp/tmux-0/default,1,0';
  process.env.COLUMNS = '200';
  try {
    const pty = cleanup.process(
      await PtyProcess.spawn(['sh', '-c', 'echo "TMUX=${TMUX-unset} COLUMNS=${COLUMNS-unset} HOME=$HOME"']),
    );
    assert.ok((await outputOf(pty)).includes(`TMUX=unset COLUMNS=unset HOME=${process.env.HOME}`));
    // Given explicitly, they are the caller's choice and pass through.
    const given = cleanup.process(
      await PtyProcess.spawn(['sh', '-c', 'echo "COLUMNS=${COLUMNS-unset}"'], { env: { ...process.env } }),
    );
    assert.ok((await outputOf(given)).includes('COLUMNS=200'));
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test('uid and gid are refused on a terminal with EINVAL, naming the option', () => {
  for (const option of [{ uid: 0 }, { gid: 0 }]) {
    assert.throws(
      () => new PtyProcess(['true'], option as object),
      (error: unknown) =>
        error instanceof ProcessError &&
        error.code === 'EINVAL' &&
        error.message.startsWith(Object.keys(option)[0] ?? ''),
    );
  }
});
