import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, ProcessError } from '../../../server/src/process/index.ts';
import { Cleanup, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('write queues data for stdin and preserves the order of writes', async () => {
  const p = cleanup.process(new Process(['cat']));
  const expected: string[] = [];
  for (let i = 0; i < 1000; i += 1) {
    const line = `line ${i}\n`;
    expected.push(line);
    p.write(i % 2 === 0 ? line : Buffer.from(line));
  }
  p.closeInput();
  await p.wait();
  assert.equal(p.read().toString(), expected.join(''));
});

test('closeInput closes stdin after all queued data, so the child sees end-of-file', async () => {
  const p = cleanup.process(new Process(['wc', '-c']));
  p.write(Buffer.alloc(200_000, 1));
  p.closeInput();
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
  assert.equal(p.read().toString().trim(), '200000');
});

test('closeInput can be called twice', async () => {
  const p = cleanup.process(new Process(['cat']));
  p.closeInput();
  p.closeInput();
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
});

test('write throws ESTDIN_CLOSED after closeInput', () => {
  const p = cleanup.process(new Process(['cat']));
  p.closeInput();
  assert.throws(
    () => p.write('late'),
    (error: unknown) =>
      error instanceof ProcessError && error.code === 'ESTDIN_CLOSED' && /closeInput/.test(error.message),
  );
});

test('write and closeInput throw ENOT_PIPE when stdin is not a pipe', async () => {
  const p = cleanup.process(new Process(['true'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const notPipe = (error: unknown): boolean =>
    error instanceof ProcessError && error.code === 'ENOT_PIPE' && /not a pipe/.test(error.message);
  assert.throws(() => p.write('x'), notPipe);
  assert.throws(() => p.closeInput(), notPipe);
  await p.wait();
});

test('write returns at once even when the child never drains its input', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  const chunk = Buffer.alloc(1 << 20, 0x61);
  const started = Date.now();
  for (let i = 0; i < 64; i += 1) p.write(chunk); // 64 MiB into a 64 KiB pipe nobody reads
  // The caller was not blocked: the event loop still turns.
  await sleep(20);
  assert.ok(Date.now() - started < 5000);
  assert.equal(p.poll(), null);
  const result = await p.terminate({ gracePeriodMs: 200 });
  assert.equal(result.stage, 'SIGTERM');
});

test('a child that exits with input still queued does not crash the host with EPIPE', async () => {
  // head reads a little and exits; the rest of the 16 MiB meets a closed pipe.
  const p = cleanup.process(new Process(['head', '-c', '10']));
  for (let i = 0; i < 16; i += 1) p.write(Buffer.alloc(1 << 20, 0x62));
  assert.deepEqual(await p.wait(), { code: 0, signal: null });
  assert.equal(p.read().toString(), 'b'.repeat(10));
  // Writing after the exit is not an error either: there is simply no one to read it.
  p.write('ignored');
  await sleep(20);
});

test('binary data goes through stdin and back unchanged', async () => {
  const p = cleanup.process(new Process(['cat']));
  const bytes = Buffer.alloc(256 * 1024);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
  p.write(bytes.subarray(0, 1000));
  p.write(new Uint8Array(bytes.subarray(1000)));
  p.closeInput();
  await p.wait();
  assert.ok(p.read().equals(bytes));
});

test('a buffer changed by the caller after write does not change the data queued', async () => {
  const p = cleanup.process(new Process(['cat']));
  const buffer = Buffer.from('before');
  p.write(buffer);
  buffer.write('after!');
  p.closeInput();
  await p.wait();
  assert.equal(p.read().toString(), 'before');
});

test('pendingInputBytes counts input the child has not accepted yet', async () => {
  const p = cleanup.process(new Process(['sleep', '100']));
  assert.equal(p.pendingInputBytes, 0);
  p.write(Buffer.alloc(1 << 20, 0x61));
  p.write('and more');
  await sleep(50);
  // The pipe took what fits (64 KiB on Linux); the rest waits, in the host's memory.
  const pending = p.pendingInputBytes;
  assert.ok(pending > (1 << 20) - 256 * 1024 && pending <= (1 << 20) + 8, `pending: ${pending}`);
  await p.terminate({ gracePeriodMs: 0 });
  assert.equal(p.pendingInputBytes, 0, 'nothing is pending once the child is gone');
});

test('pendingInputBytes falls to 0 as a child reads its input', async () => {
  const p = cleanup.process(new Process(['wc', '-c']));
  p.write(Buffer.alloc(1 << 20, 0x61));
  await waitUntil('the child read it all', () => p.pendingInputBytes === 0);
  p.closeInput();
  await p.wait();
  assert.equal(p.read().toString().trim(), String(1 << 20));
});

test('stdin is written by the addon, without a socket, in order across a full pipe', async () => {
  // A net.Socket on a pipe is a PipeWrap among the active resources; the addon's writer is not.
  const sockets = (): number =>
    process.getActiveResourcesInfo().filter((resource) => resource === 'PipeWrap').length;
  const before = sockets();
  const p = cleanup.process(new Process(['sha256sum'], { lendOutput: true }));
  // Far more than the pipe holds, in pieces, so that writes queue behind a full pipe.
  const pieces = Array.from({ length: 64 }, (_, index) => Buffer.alloc(64 * 1024, index));
  for (const piece of pieces) p.write(piece);
  assert.ok(p.pendingInputBytes > 0, 'the pipe did not take it all at once');
  assert.equal(sockets(), before, 'no socket for stdin');
  p.closeInput();
  assert.equal((await p.wait()).code, 0);
  const expected = createHash('sha256').update(Buffer.concat(pieces)).digest('hex');
  assert.equal(p.read().toString().split(' ')[0], expected);
});
