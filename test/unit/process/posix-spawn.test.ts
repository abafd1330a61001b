// Pipe children start with posix_spawn (server/native/spawn.c) unless an option only
// child_process handles is set. Both ways must give the program the same world.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, test } from 'node:test';
import { Process, type ProcessOptions } from '../../../server/src/process/index.ts';
import { Cleanup, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
/** Linux's O_CLOEXEC, as /proc/PID/fdinfo shows it in `flags` (octal). */
const O_CLOEXEC = 0o2000000;
afterEach(() => cleanup.run());

// What a program can see of how it was started: ignored and blocked signals, working directory,
// environment, what its stdio are, whether it leads its own session and group, and its open
// descriptors. The signals are those of grep and the descriptors those of ls, as sh passes them
// on: the shell's own mask and descriptors change while it forks a pipeline.
const DESCRIBE_SELF = [
  'grep -E "^Sig(Ign|Blk)" /proc/self/status',
  'pwd',
  'echo "FOO=$FOO PATH=$PATH"',
  'for fd in 0 1 2; do echo "$fd: $(stat -L -c %F /proc/$$/fd/$fd)"; done',
  'set -- $(cut -d" " -f5,6 /proc/$$/stat)',
  'if [ "$1" = $$ ] && [ "$2" = $$ ]; then echo "leads its group and session"; else echo "in ours"; fi',
  'exec ls /proc/self/fd',
].join('; ');

/** This process's descriptors above stdio that a child inherits (no close-on-exec). */
function inheritableFds(): number[] {
  return readdirSync('/proc/self/fd')
    .map(Number)
    .filter((fd) => fd > 2)
    .filter((fd) => {
      try {
        const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
        return flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0;
      } catch {
        return false; // closed meanwhile, like the directory handle of this listing
      }
    });
}

/** `how`: the constructor (posix_spawn on this thread) or Process.spawn (on a worker thread). */
async function describeStart(
  options: ProcessOptions,
  how: 'construct' | 'spawn' = 'construct',
): Promise<string> {
  const argv = ['sh', '-c', DESCRIBE_SELF];
  const p = cleanup.process(
    how === 'spawn' ? await Process.spawn(argv, options) : new Process(argv, options),
  );
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
  const [out, err] = p.readBoth();
  assert.equal(err.toString(), '');
  return out.toString();
}

test('posix_spawn and child_process start a program with the same signals, cwd, env, stdio and group', async () => {
  for (const detached of [false, true]) {
    for (const stdio of [undefined, ['ignore', 'pipe', 'pipe']] as const) {
      const options: ProcessOptions = { cwd: '/tmp', env: { FOO: 'bar', PATH: '/usr/bin:/bin' }, detached };
      if (stdio !== undefined) options.stdio = [...stdio];
      const fast = await describeStart(options);
      // argv0 is one of the options only child_process handles: it takes the other path.
      const forked = await describeStart({ ...options, argv0: 'sh' });
      assert.equal(fast, forked, `detached ${detached}, stdio ${JSON.stringify(stdio)}`);
      const offThread = await describeStart(options, 'spawn');
      assert.equal(offThread, fast, `Process.spawn, detached ${detached}, stdio ${JSON.stringify(stdio)}`);
      assert.match(fast, /^SigIgn:\s*0+$/m, 'no signal ignored (Node ignores SIGPIPE; children must not)');
      assert.match(fast, /^SigBlk:\s*0+$/m, 'no signal blocked');
      assert.match(fast, /^\/tmp$/m);
      assert.match(fast, /^FOO=bar PATH=\/usr\/bin:\/bin$/m);
      assert.match(fast, detached ? /leads its group and session/ : /in ours/);
      // Besides stdio and the directory ls reads, only what this test process itself inherited
      // without close-on-exec (from whatever started it): nothing the core opened.
      const fds = fast.slice(fast.search(/^\d+$/m)).trim().split('\n').map(Number);
      const extra = fds.filter((fd) => fd > 2 && !inheritableFds().includes(fd));
      assert.equal(extra.length, 1, `descriptors ${fds.join(' ')}: stdio and ls's own, nothing else`);
    }
  }
});

test('a child killed by SIGPIPE dies of it instead of seeing EPIPE errors', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'yes | head -n 1; echo done']));
  await p.wait();
  const [out, err] = p.readBoth().map(String);
  assert.equal(out, 'y\ndone\n');
  assert.equal(err, '', 'yes ended quietly by SIGPIPE, not with a "Broken pipe" error');
});

test("the program is looked up in the child's PATH, and a script without #! runs under sh", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'shellgate-path-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'greet'), 'echo "hello from $0 with $1"\n');
  await chmod(join(dir, 'greet'), 0o755);
  await writeFile(join(dir, 'locked'), '#!/bin/sh\necho never\n', { mode: 0o644 });
  const p = cleanup.process(new Process(['greet', 'arg'], { env: { PATH: `/nonexistent:${dir}` } }));
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
  assert.equal(p.read().toString(), `hello from ${join(dir, 'greet')} with arg\n`);
  // Found but not executable, and nothing else by that name: EACCES, as execvp says.
  await assert.rejects(Process.spawn(['locked'], { env: { PATH: dir } }), { code: 'EACCES' });
});

test('children started at once on worker threads hold only their own stdio, and each ends alone', async () => {
  const children = await Promise.all(
    Array.from({ length: 16 }, () => Process.spawn(['cat'], { detached: true })),
  );
  for (const child of children) cleanup.process(child);
  const inherited = inheritableFds();
  const extra = (pid: number): number[] =>
    readdirSync(`/proc/${pid}/fd`)
      .map(Number)
      .filter((fd) => fd > 2 && !inherited.includes(fd));
  for (const child of children) {
    // posix_spawn returns once the child has swapped its memory, a moment before exec closes the
    // close-on-exec descriptors: those go; a sibling's pipe end held here would stay, and keep
    // that sibling's output open after it exits.
    await waitUntil(`cat ${child.pid} holds only its stdio`, () => extra(child.pid).length === 0).catch(() =>
      assert.deepEqual(extra(child.pid), [], `cat ${child.pid}`),
    );
  }
  for (const [index, child] of children.entries()) {
    child.write(`line ${index}\n`);
    child.closeInput();
    assert.deepEqual(await child.wait(), { code: 0, signal: null });
    assert.equal(child.read().toString(), `line ${index}\n`);
  }
});

test('Process.spawn reports a program that cannot start as the constructor does', async () => {
  await assert.rejects(Process.spawn(['/nonexistent/program']), { code: 'ENOENT' });
  await assert.rejects(Process.spawn(['true'], { cwd: '/nonexistent-dir' }), { code: 'ENOENT' });
  await assert.rejects(Process.spawn(['true'], { killGroupOnExit: true }), { code: 'EINVAL' });
});

test('a throw while an exit is reported is uncaught, not left for the next call into the addon', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/throwing-exit-listener.ts', import.meta.url));
  const child = cleanup.process(new Process([process.execPath, '--import', 'tsx', fixture]));
  const status = await child.wait();
  assert.equal(child.read().toString(), 'uncaught: thrown by an exit listener\nsecond exited with 0\n');
  assert.deepEqual(status, { code: 0, signal: null });
});
