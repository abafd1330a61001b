import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, type OutputChunk } from '../../../server/src/process/index.ts';
import { Cleanup } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const MiB = 1 << 20;

test('read returns and clears what stdout has collected so far', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'echo first; read line; echo second']));
  while (p.read().length === 0 && p.poll() === null) await sleep(5); // nothing yet, or the first line
  p.write('\n');
  await p.wait();
  assert.equal(p.read().toString(), 'second\n');
  assert.equal(p.read().length, 0);
});

test('readErr returns stderr and readBoth returns both, each cleared', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'echo a; echo b >&2; echo c; echo d >&2']));
  await p.wait();
  assert.equal(p.readErr().toString(), 'b\nd\n');
  const [out, err] = p.readBoth();
  assert.equal(out.toString(), 'a\nc\n');
  assert.equal(err.length, 0);
  assert.deepEqual(p.readBoth(), [Buffer.alloc(0), Buffer.alloc(0)]);
});

test('read is always empty for a stream that is not a pipe', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'echo hidden; echo shown >&2'], { stdio: ['pipe', 'ignore', 'pipe'] }),
  );
  await p.wait();
  assert.equal(p.read().length, 0);
  assert.equal(p.readErr().toString(), 'shown\n');
});

test('hundreds of MiB of output that nobody reads do not stop the child from finishing', async () => {
  const size = 300 * MiB;
  const p = cleanup.process(new Process(['head', '-c', String(size), '/dev/zero']));
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
  assert.equal(p.read().length, size);
});

test('binary output comes through byte for byte', async () => {
  // Every byte value, twice, including NUL, CR, LF and invalid UTF-8.
  const p = cleanup.process(new Process(['cat']));
  const bytes = Buffer.alloc(512);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = i & 0xff;
  p.write(bytes);
  p.closeInput();
  await p.wait();
  assert.ok(p.read().equals(bytes));
});

test('a UTF-8 character split across two writes of the child arrives as its exact bytes', async () => {
  // € is e2 82 ac; the child writes the first two bytes, pauses, then the last one.
  const p = cleanup.process(new Process(['sh', '-c', "printf '\\342\\202'; sleep 0.1; printf '\\254'"]));
  const chunks: Buffer[] = [];
  p.onOutput((chunk) => chunks.push(chunk.data));
  await p.wait();
  assert.ok(chunks.length >= 2, 'the character arrived in two chunks');
  assert.ok(Buffer.concat(chunks).equals(Buffer.from('€')));
  assert.equal(p.read().toString(), '€');
});

test('onOutput delivers stdout and stderr chunks in arrival order', async () => {
  const p = cleanup.process(
    new Process(['sh', '-c', 'echo 1; sleep 0.1; echo 2 >&2; sleep 0.1; echo 3; sleep 0.1; echo 4 >&2']),
  );
  const seen: string[] = [];
  p.onOutput((chunk) => seen.push(`${chunk.stream} ${chunk.data.toString().trim()}`));
  await p.wait();
  assert.deepEqual(seen, ['stdout 1', 'stderr 2', 'stdout 3', 'stderr 4']);
});

test('onOutput returns a disposable that stops delivery', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'echo before; read x; echo after']));
  const seen: string[] = [];
  const subscription = p.onOutput((chunk) => seen.push(chunk.data.toString()));
  while (seen.length === 0) await sleep(5);
  subscription.dispose();
  p.write('\n');
  await p.wait();
  assert.deepEqual(seen, ['before\n']);
  assert.equal(p.read().toString(), 'before\nafter\n', 'collection is independent of subscribers');
});

test('output() iterates over chunks in arrival order and ends after the last one', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'echo a; sleep 0.1; echo b >&2; sleep 0.1; echo c']));
  const seen: string[] = [];
  for await (const chunk of p.output()) seen.push(`${chunk.stream} ${chunk.data.toString().trim()}`);
  assert.deepEqual(seen, ['stdout a', 'stderr b', 'stdout c']);
  assert.deepEqual(p.poll(), { code: 0, signal: null });
});

test('output() subscribes when called, so chunks before the first next() are not missed', async () => {
  const p = cleanup.process(new Process(['echo', 'early']));
  const iterable = p.output();
  await p.wait();
  const seen: OutputChunk[] = [];
  for await (const chunk of iterable) seen.push(chunk);
  assert.equal(Buffer.concat(seen.map((chunk) => chunk.data)).toString(), 'early\n');
});

test('leaving a for-await loop early unsubscribes the iterator', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'echo one; sleep 0.1; echo two']));
  for await (const chunk of p.output()) {
    assert.equal(chunk.data.toString(), 'one\n');
    break;
  }
  await p.wait();
  assert.equal(p.read().toString(), 'one\ntwo\n');
});

test('with collect false output goes only to subscribers and read stays empty', async () => {
  const p = cleanup.process(new Process(['sh', '-c', 'echo relayed; echo too >&2'], { collect: false }));
  const seen: string[] = [];
  p.onOutput((chunk) => seen.push(chunk.data.toString()));
  await p.wait();
  assert.deepEqual(seen.sort(), ['relayed\n', 'too\n']);
  assert.deepEqual(p.readBoth(), [Buffer.alloc(0), Buffer.alloc(0)]);
});

test('pauseOutput stops reading so the child blocks, and resumeOutput lets it finish with nothing lost', async () => {
  const size = 8 * MiB;
  const p = cleanup.process(new Process(['head', '-c', String(size), '/dev/zero']));
  p.pauseOutput();
  await sleep(300);
  assert.equal(p.poll(), null, 'the child is blocked on a full pipe');
  p.resumeOutput();
  await p.wait();
  assert.equal(p.read().length, size);
});
