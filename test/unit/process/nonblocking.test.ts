import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NonblockingProcess } from '../../../server/src/process/index.ts';
import { Cleanup, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const root = fileURLToPath(new URL('../../../', import.meta.url));

async function nextLine(p: NonblockingProcess): Promise<string> {
  let line: string | null = null;
  await waitUntil('a line arrived', () => (line = p.readline()) !== null);
  return line ?? '';
}

test('NonblockingProcess talks to bc like the original demo', async () => {
  const bc = cleanup.process(new NonblockingProcess(['bc']));
  bc.write('1+2\n');
  assert.equal(await nextLine(bc), '3');
  // A long result spans lines, continued with a backslash: two lines from one answer.
  bc.write('2^300\n');
  const first = await nextLine(bc);
  assert.match(first, /\\$/);
  const second = await nextLine(bc);
  assert.equal(first.slice(0, -1) + second, String(2n ** 300n));
  assert.equal(bc.isAlive(), true);
  bc.write('quit\n');
  assert.deepEqual(await bc.wait(), { code: 0, signal: null });
  assert.equal(bc.isAlive(), false);
});

test('readline returns null at once when no complete line has arrived', async () => {
  const p = cleanup.process(new NonblockingProcess(['sh', '-c', 'printf partial; read x; echo " line"']));
  await sleep(100);
  assert.equal(p.hasLine(), false);
  assert.equal(p.readline(), null);
  p.write('\n');
  assert.equal(await nextLine(p), 'partial line');
});

test('readline returns several lines that arrived in one chunk one at a time', async () => {
  const p = cleanup.process(new NonblockingProcess(['printf', 'one\\ntwo\\n\\nfour\\nrest']));
  await p.wait();
  assert.equal(p.hasLine(), true);
  assert.deepEqual([p.readline(), p.readline(), p.readline(), p.readline()], ['one', 'two', '', 'four']);
  assert.equal(p.hasLine(), false);
  assert.equal(p.readline(), null, 'an unterminated last line is not a line');
});

test('readline decodes a UTF-8 character split across chunks', async () => {
  const p = cleanup.process(
    new NonblockingProcess(['sh', '-c', "printf 'caf\\303'; sleep 0.1; printf '\\251\\n'"]),
  );
  assert.equal(await nextLine(p), 'café');
});

test('a line longer than many chunks comes out whole, and the next one after it', async () => {
  const p = cleanup.process(
    new NonblockingProcess(['sh', '-c', "head -c 4194304 /dev/zero | tr '\\0' x; echo; echo next"]),
  );
  const long = await nextLine(p);
  assert.equal(long.length, 4 * 1024 * 1024);
  assert.match(long, /^x+$/);
  assert.equal(await nextLine(p), 'next');
});

test('NonblockingProcess discards stderr and passes env', async () => {
  const p = cleanup.process(
    new NonblockingProcess(['sh', '-c', 'echo noise >&2; echo "$GREETING"'], {
      env: { GREETING: 'hello', PATH: process.env.PATH },
    }),
  );
  await p.wait();
  assert.equal(p.readline(), 'hello');
  assert.equal(p.readline(), null);
});

test('isAlive is false for a program that could not be started', async () => {
  const p = new NonblockingProcess(['/nonexistent/program']);
  assert.equal(p.isAlive(), false);
  await assert.rejects(p.wait(), /nonexistent\/program/);
});

test('the bc example runs to the end', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/bc.ts'], {
    cwd: root,
    timeout: 30_000,
  });
  assert.match(stdout, /^1 \+ 2 = 3$/m);
  assert.match(stdout, /^2 \^ 64 = 18446744073709551616$/m);
  assert.match(stdout, /^readline\(\) with nothing pending: null$/m);
  assert.match(stdout, /^bc ended with code 0 at stage stdin$/m);
});
