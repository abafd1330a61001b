// `lendOutput`: the pipes are read into one reused buffer that `onOutput` listeners are lent
// (server/src/process/lent-pipe.ts); collected output and iterators get copies.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { Process, ProcessError, type OutputChunk } from '../../../server/src/process/index.ts';
import { Cleanup } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const MiB = 1 << 20;
const dir = mkdtempSync(join(tmpdir(), 'lend-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const out = randomBytes(3 * MiB);
const err = randomBytes(MiB + 12_345);
writeFileSync(join(dir, 'out'), out);
writeFileSync(join(dir, 'err'), err);
// Both streams at once, interleaved, so the one buffer serves two pipes in turn.
const SCRIPT = 'cat out & cat err >&2; wait';

/** Copies of what the listener was lent, and how many distinct memories the chunks came in. */
function lentCopies(p: Process): {
  copies: Record<'stdout' | 'stderr', Buffer[]>;
  memories: Set<ArrayBufferLike>;
} {
  const copies = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const memories = new Set<ArrayBufferLike>();
  p.onOutput(({ stream, data }) => {
    memories.add(data.buffer);
    copies[stream].push(Buffer.from(data));
  });
  return { copies, memories };
}

test('with lendOutput, listeners are lent one reused buffer; collected output and iterators keep copies', async () => {
  const p = cleanup.process(new Process(['sh', '-c', SCRIPT], { cwd: dir, lendOutput: true }));
  assert.equal(p.lendsOutput, true);
  const { copies, memories } = lentCopies(p);
  const iterated = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const iterating = (async () => {
    for await (const chunk of p.output()) iterated[chunk.stream].push(chunk.data);
  })();
  assert.equal((await p.wait()).code, 0);
  await iterating;

  assert.equal(memories.size, 1, 'every chunk was lent in the same buffer');
  assert.ok(copies.stdout.length > 1, 'more than one read');
  assert.deepEqual(Buffer.concat(copies.stdout), out);
  assert.deepEqual(Buffer.concat(copies.stderr), err);
  assert.deepEqual(p.read(), out);
  assert.deepEqual(p.readErr(), err);
  assert.deepEqual(Buffer.concat(iterated.stdout), out);
  assert.deepEqual(Buffer.concat(iterated.stderr), err);
});

test('without lendOutput, every chunk is its own buffer', async () => {
  const p = cleanup.process(new Process(['sh', '-c', SCRIPT], { cwd: dir, collect: false }));
  assert.equal(p.lendsOutput, false);
  const { copies, memories } = lentCopies(p);
  await p.wait();
  assert.ok(memories.size > 1);
  assert.deepEqual(Buffer.concat(copies.stdout), out);
});

test('lendOutput keeps pausing and resuming exact', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', SCRIPT], { cwd: dir, collect: false, lendOutput: true }),
  );
  const got: OutputChunk[] = [];
  let paused = 0;
  p.onOutput(({ stream, data }) => {
    got.push({ stream, data: Buffer.from(data) });
    if (got.length % 8 === 0) {
      paused += 1;
      p.pauseOutput();
      setTimeout(() => p.resumeOutput(), 5);
    }
  });
  await p.wait();
  assert.ok(paused > 0);
  const of = (stream: 'stdout' | 'stderr'): Buffer =>
    Buffer.concat(got.filter((chunk) => chunk.stream === stream).map((chunk) => chunk.data));
  assert.deepEqual(of('stdout'), out);
  assert.deepEqual(of('stderr'), err);
});

test('lendOutput must be a boolean', () => {
  assert.throws(
    () => new Process(['true'], { lendOutput: 'yes' as unknown as boolean }),
    (error: unknown) =>
      error instanceof ProcessError &&
      error.code === 'EINVAL' &&
      /lendOutput must be a boolean/.test(error.message),
  );
});

/** Resolves once `pid` has written more than 64 KiB and then nothing more for 100 ms. */
async function writerBlocked(pid: number): Promise<void> {
  const written = (): number => Number(/wchar: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
  let last = -1;
  for (let polls = 0; polls < 100; polls += 1) {
    const now = written();
    if (now > 64 * 1024 && now === last) return;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the writer never blocked: ${last} bytes written`);
}

/** The largest chunk of a run of `cat out` whose reading starts once the writer has filled its pipe. */
async function largestChunk(options: { readBytes?: number }): Promise<number> {
  const p = cleanup.process(
    new Process(['cat', 'out'], { cwd: dir, collect: false, lendOutput: true, ...options }),
  );
  const chunks: Buffer[] = [];
  p.onOutput(({ data }) => chunks.push(Buffer.from(data)));
  // Not read until the writer is blocked on a full socket (~200 KiB), which one read then takes.
  p.pauseOutput();
  await writerBlocked(p.pid);
  p.resumeOutput();
  await p.wait();
  assert.deepEqual(Buffer.concat(chunks), out);
  return Math.max(...chunks.map((chunk) => chunk.length));
}

test('readBytes sets the largest chunk a read of a lent pipe delivers', async () => {
  const KiB = 1024;
  assert.equal(await largestChunk({}), 64 * KiB, "by default, Node's own read size");
  const larger = await largestChunk({ readBytes: 256 * KiB });
  assert.ok(larger > 64 * KiB && larger <= 256 * KiB, `largest chunk ${larger}`);
  assert.equal(await largestChunk({ readBytes: 4 * KiB }), 4 * KiB);
});

test('readBytes is checked, and needs lendOutput', () => {
  const refused = (options: object, pattern: RegExp): void =>
    assert.throws(
      () => new Process(['true'], options),
      (error: unknown) =>
        error instanceof ProcessError && error.code === 'EINVAL' && pattern.test(error.message),
    );
  for (const readBytes of [0, 1023, 256 * 1024 + 1, 2048.5, '65536'])
    refused({ lendOutput: true, readBytes }, /readBytes must be a whole number of bytes from 1024 to 262144/);
  refused({ readBytes: 65_536 }, /readBytes requires lendOutput: true/);
});

test("lent pipes are read by the addon, without a socket per pipe for the process's life", async () => {
  // A net.Socket on a pipe is a PipeWrap among the active resources; the addon's reader is not.
  const sockets = (): number =>
    process.getActiveResourcesInfo().filter((resource) => resource === 'PipeWrap').length;
  const before = sockets();
  const p = cleanup.process(
    new Process(['sh', '-c', 'echo ready; echo warn >&2; exec cat'], { lendOutput: true }),
  );
  const seen = { stdout: '', stderr: '' };
  const both = new Promise<void>((resolve) =>
    p.onOutput(({ stream, data }) => {
      seen[stream] += data.toString();
      if (seen.stdout === 'ready\n' && seen.stderr === 'warn\n') resolve();
    }),
  );
  await both;
  assert.equal(sockets(), before, 'no socket for stdout or stderr');
  p.closeInput();
  assert.equal((await p.wait()).code, 0);
  assert.equal(p.read().toString(), 'ready\n');
  assert.equal(p.readErr().toString(), 'warn\n');
});
