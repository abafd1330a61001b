import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ProcessError, PtyProcess, type TerminateStage } from '../../../server/src/process/index.ts';
import { Cleanup, isAlive, liveDescendants, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const PROMPT = 'PROMPT$ ';
const gracePeriodMs = 200;

/** An interactive bash without the user's startup files, with a prompt easy to spot. */
function bash(options: { cols?: number; rows?: number } = {}): {
  pty: PtyProcess;
  until: (pattern: RegExp) => Promise<string>;
} {
  const pty = cleanup.process(
    new PtyProcess(['bash', '--norc', '--noprofile', '-i'], {
      ...options,
      env: { ...process.env, PS1: PROMPT },
    }),
  );
  let seen = '';
  const until = async (pattern: RegExp): Promise<string> => {
    await waitUntil(
      `the terminal shows ${pattern}`,
      () => pattern.test((seen += pty.read().toString())),
      10_000,
    );
    const match = pattern.exec(seen)?.[0] ?? '';
    seen = seen.slice(seen.indexOf(match) + match.length);
    return match;
  };
  return { pty, until };
}

test('an interactive shell on a terminal shows its prompt', async () => {
  const { until } = bash();
  assert.equal(await until(/PROMPT\$ /), PROMPT);
});

test('a command typed into the shell runs and prints its result', async () => {
  const { pty, until } = bash();
  await until(/PROMPT\$ /);
  pty.write('echo $((2+3))\r');
  // The terminal echoes the command line (bash wraps it in bracketed-paste switches), then the
  // output follows with CR LF line ends.
  assert.match(await until(/[\r\n]5\r\n/), /5/);
});

test('stty size follows resize', async () => {
  const { pty, until } = bash({ cols: 80, rows: 24 });
  await until(/PROMPT\$ /);
  pty.write('stty size\r');
  await until(/[\r\n]24 80\r\n/);
  pty.resize(132, 43);
  pty.write('stty size\r');
  await until(/[\r\n]43 132\r\n/);
});

test('kill SIGINT interrupts the foreground job like Ctrl-C and the shell survives', async () => {
  const { pty, until } = bash();
  await until(/PROMPT\$ /);
  pty.write('sleep 100\r');
  await waitUntil('sleep runs', () => liveDescendants(pty.pid).some((info) => info.comm === 'sleep'));
  pty.kill('SIGINT');
  await until(/PROMPT\$ /);
  assert.equal(liveDescendants(pty.pid).length, 0, 'sleep was interrupted');
  pty.write('echo status $?\r');
  await until(/status 130/);
  assert.equal(pty.poll(), null, 'the shell is still running');
});

test('exit 3 in the shell gives exit code 3', async () => {
  const { pty, until } = bash();
  await until(/PROMPT\$ /);
  pty.write('exit 3\r');
  assert.deepEqual(await pty.wait(), { code: 3, signal: null });
});

test('UTF-8 goes through the terminal unchanged in both directions', async () => {
  const { pty, until } = bash();
  await until(/PROMPT\$ /);
  const text = 'grüße €𝄞 日本';
  pty.write(`printf '%s\\n' '${text}' | od -An -tx1 | tr -d ' \\n'; echo\r`);
  const hex = Buffer.from(text).toString('hex');
  assert.equal(await until(new RegExp(hex)), hex, 'the shell received the exact bytes');
  pty.write(`echo '${text}'\r`);
  assert.ok((await until(/[\r\n]grüße €𝄞 日本\r\n/)).includes(text), 'and printed them back exactly');
});

test('terminate closes input with Ctrl-D and an interactive shell exits on it', async () => {
  const { pty, until } = bash();
  await until(/PROMPT\$ /);
  const stages: TerminateStage[] = [];
  const result = await pty.terminate({ gracePeriodMs, onStage: (stage) => stages.push(stage) });
  assert.deepEqual(result, { code: 0, signal: null, stage: 'stdin' });
  assert.deepEqual(stages, ['stdin']);
});

test('terminate escalates through SIGHUP and SIGTERM to SIGKILL on a shell trapping both', async () => {
  const pty = cleanup.process(
    new PtyProcess(['sh', '-c', 'trap "" HUP TERM; echo ready; while :; do sleep 0.05; done']),
  );
  await waitUntil('the traps are set', () => pty.read().toString().includes('ready'));
  const stages: TerminateStage[] = [];
  const result = await pty.terminate({ gracePeriodMs, onStage: (stage) => stages.push(stage) });
  assert.deepEqual(result, { code: null, signal: 'SIGKILL', stage: 'SIGKILL' });
  assert.deepEqual(stages, ['stdin', 'SIGHUP', 'SIGTERM', 'SIGKILL']);
});

test('terminate stops at SIGHUP for a program that does not read its input', async () => {
  const pty = cleanup.process(new PtyProcess(['sleep', '100']));
  const result = await pty.terminate({ gracePeriodMs });
  assert.deepEqual(result, { code: null, signal: 'SIGHUP', stage: 'SIGHUP' });
});

test('terminate ends the background jobs of a shell session too', async () => {
  const { pty, until } = bash();
  await until(/PROMPT\$ /);
  // Job control puts the background job in a process group of its own.
  pty.write('trap "" HUP; sleep 100 & echo job $!\r');
  const job = Number((await until(/job \d+/)).slice(4));
  cleanup.pid(job);
  assert.ok(isAlive(job));
  await pty.terminate({ gracePeriodMs });
  await waitUntil('the job is gone', () => !isAlive(job), 10_000);
});

test('pauseOutput makes the program block and resumeOutput lets it finish with nothing lost', async () => {
  // The program waits for a key before exiting, so that the writer is still there to be seen
  // blocked (pty-exit.test.ts covers output held back across the exit).
  const pty = cleanup.process(
    new PtyProcess(['sh', '-c', 'head -c 2000000 /dev/zero | tr "\\0" y; echo; echo end; read x']),
  );
  pty.pauseOutput();
  await sleep(300);
  assert.equal(pty.read().length, 0, 'nothing was read while paused');
  assert.ok(
    liveDescendants(pty.pid).some((info) => info.comm === 'tr'),
    'the writer is blocked on the full terminal instead of having finished',
  );
  pty.resumeOutput();
  let text = '';
  await waitUntil('all output arrived', () => (text += pty.read().toString('latin1')).endsWith('end\r\n'));
  assert.equal(text.split('y').length - 1, 2_000_000);
  pty.write('\r');
  assert.deepEqual(await pty.wait(), { code: 0, signal: null });
});

test('readErr is always empty: a terminal has a single output stream', async () => {
  const pty = cleanup.process(new PtyProcess(['sh', '-c', 'echo out; echo err >&2']));
  await pty.wait();
  assert.equal(pty.readErr().length, 0);
  assert.equal(pty.read().toString(), 'out\r\nerr\r\n');
});

test('kill throws ECHILD once the program has been waited for', async () => {
  const pty = cleanup.process(new PtyProcess(['true']));
  await pty.wait();
  assert.throws(
    () => pty.kill('SIGINT'),
    (error: unknown) => error instanceof ProcessError && error.code === 'ECHILD',
  );
});

test('PtyProcess.spawn rejects with an error naming the command on ENOENT, EACCES and a bad cwd', async () => {
  const notExecutable = fileURLToPath(new URL('../../fixtures/not-executable.txt', import.meta.url));
  const cases: [string[], { cwd?: string }, string, RegExp][] = [
    [['no-such-command-xyz'], {}, 'ENOENT', /"no-such-command-xyz": command not found/],
    [[notExecutable], {}, 'EACCES', /permission denied/],
    [['ls'], { cwd: '/no/such/dir' }, 'ENOENT', /working directory "\/no\/such\/dir"/],
  ];
  for (const [argv, options, code, message] of cases) {
    await assert.rejects(
      PtyProcess.spawn(argv, options),
      (error: unknown) =>
        error instanceof ProcessError &&
        error.code === code &&
        error.command === argv[0] &&
        message.test(error.message),
    );
  }
  const failed = new PtyProcess(['no-such-command-xyz']);
  await assert.rejects(failed.wait(), /command not found/);
  assert.throws(() => failed.pid, /command not found/);
});

test('pendingInputBytes counts what was typed into a terminal whose program does not read', async () => {
  const pty = cleanup.process(new PtyProcess(['sleep', '100']));
  assert.equal(pty.pendingInputBytes, 0);
  const line = `${'x'.repeat(1023)}\r`;
  for (let i = 0; i < 256; i += 1) pty.write(line); // 256 KiB
  await sleep(100);
  // The terminal takes a few KiB into its buffers; the rest stays queued.
  const pending = pty.pendingInputBytes;
  assert.ok(pending > 128 * 1024 && pending <= 256 * 1024, `pending: ${pending}`);
  await pty.terminate({ gracePeriodMs: 0 });
  assert.equal(pty.pendingInputBytes, 0);
});

test('input typed faster than the program reads arrives whole and in order', async () => {
  // Raw and without echo, `od` prints exactly what it was typed: small writes go straight into the
  // terminal, what does not fit waits in node-pty's queue, and later writes must queue behind it.
  const pty = cleanup.process(
    new PtyProcess(['sh', '-c', 'stty raw -echo; printf R; exec od -An -v -tx1 -w16'], { collect: true }),
  );
  let output = '';
  await waitUntil('the program is ready', () => (output += pty.read().toString()).includes('R'), 10_000);
  const sent: number[] = [];
  for (let i = 0; i < 400; i += 1) {
    const chunk = Buffer.alloc(i % 7 === 0 ? 3000 : 5, i % 251);
    for (let j = 0; j < chunk.length; j += 1) chunk[j] = (i * 31 + j) % 256;
    sent.push(...chunk);
    pty.write(chunk);
  }
  pty.write(Buffer.from([4, 4])); // ^D ^D: raw mode passes them through; od reads on
  const expected = sent.length;
  let hex = '';
  await waitUntil(
    'every byte is echoed',
    () => {
      output += pty.read().toString();
      hex = output.slice(output.indexOf('R') + 1).replace(/[^0-9a-f]/g, '');
      return hex.length >= 2 * expected;
    },
    20_000,
  );
  const received =
    hex
      .match(/../g)
      ?.slice(0, expected)
      .map((h) => parseInt(h, 16)) ?? [];
  assert.deepEqual(received, sent);
  await pty.terminate({ gracePeriodMs: 0 });
});
