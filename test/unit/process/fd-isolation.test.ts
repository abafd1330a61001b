// No child of this process may inherit the master side of another program's terminal: holding it,
// a child could read that terminal and type into it (docs/security.md).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import { Process, PtyProcess } from '../../../server/src/process/index.ts';
import { Cleanup, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const TERMINAL = /^\/dev\/(ptmx|pts\/)/;

/** Every open descriptor of `pid` and what it points at. */
function descriptors(pid: number): Map<number, string> {
  const result = new Map<number, string>();
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    try {
      result.set(Number(name), readlinkSync(`/proc/${pid}/fd/${name}`));
    } catch {
      // closed between listing and reading
    }
  }
  return result;
}

function terminalDescriptors(pid: number): string[] {
  return [...descriptors(pid)]
    .sort(([a], [b]) => a - b)
    .filter(([, target]) => TERMINAL.test(target))
    .map(([fd, t]) => `${fd} -> ${t}`);
}

/** Until the child has run exec: before that it still holds what close-on-exec will close. */
async function execed(pid: number, comm: string): Promise<void> {
  await waitUntil(`${pid} runs ${comm}`, () => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm);
}

/** Two live programs on terminals, as two sessions of the gateway would be. */
function twoTerminals(): PtyProcess[] {
  const terminals = [cleanup.process(new PtyProcess(['cat'])), cleanup.process(new PtyProcess(['cat']))];
  // The masters are open here: it is this process's children that must not have them.
  assert.ok(terminalDescriptors(process.pid).length >= 2, 'this process holds the masters');
  return terminals;
}

test('a pipe child holds no terminal of another program', async () => {
  twoTerminals();
  const child = cleanup.process(await Process.spawn(['sleep', '100']));
  await execed(child.pid, 'sleep');
  assert.deepEqual(terminalDescriptors(child.pid), []);
});

test('a program on a terminal holds only its own terminal, on 0, 1 and 2', async () => {
  const others = twoTerminals();
  const child = cleanup.process(new PtyProcess(['sleep', '100']));
  await execed(child.pid, 'sleep');
  const own = descriptors(child.pid).get(0);
  assert.match(own ?? '', /^\/dev\/pts\/\d+$/);
  for (const other of others) assert.notEqual(descriptors(other.pid).get(0), own);
  assert.deepEqual(
    terminalDescriptors(child.pid),
    [0, 1, 2].map((fd) => `${fd} -> ${own}`),
  );
});
