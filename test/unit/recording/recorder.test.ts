// The recorder against real files: what it writes is asciicast v3 a player reads, streams are
// decoded as text without splitting characters, the size limit and a slow disk are marked in the
// file, and the relay's calls never wait for the disk.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { headerLine } from '../../../server/src/recording/asciicast.ts';
import { SessionRecorder } from '../../../server/src/recording/recorder.ts';
import type { RecorderOptions, RecordingOutcome } from '../../../server/src/recording/recorder.ts';
import { FileSink } from '../../../server/src/recording/sink.ts';
import type { RecordingSink } from '../../../server/src/recording/sink.ts';
import { readCast, streamText } from './cast.ts';

let dir: string;
let files = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shellgate-recorder-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HEADER = headerLine({
  meta: {
    recording: 'r'.repeat(24),
    session: 's1',
    profile: 'sh',
    owner: 'alice',
    mode: 'pipe',
    startedAt: new Date().toISOString(),
    input: false,
  },
  argv: ['sh', '-c', "printf 'hi'"],
  size: { cols: 80, rows: 24 },
  termType: undefined,
});

function recorderOn(sink: RecordingSink, options: Partial<RecorderOptions> = {}): SessionRecorder {
  return new SessionRecorder(sink, HEADER, {
    maxBytes: 1024 * 1024,
    maxQueueBytes: 1024 * 1024,
    input: false,
    onError: (error) => assert.fail(`unexpected write error: ${String(error)}`),
    ...options,
  });
}

function newFile(): string {
  files += 1;
  return join(dir, `${files}.cast`);
}

/** The real file behind a gate: while held, writes wait (a disk slower than the session). */
class GatedSink implements RecordingSink {
  readonly #file: FileSink;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;
  writesStarted = 0;

  constructor(path: string) {
    this.#file = new FileSink(path);
  }

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open();
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.writesStarted += 1;
    await this.#gate;
    await this.#file.write(bytes);
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

test('a recording is an asciicast v3 header, then the events in order, ending with the exit status', async () => {
  const path = newFile();
  const recorder = recorderOn(new FileSink(path));
  recorder.output('stdout', bytes('hello\n'));
  await turn();
  recorder.output('stderr', bytes('oops\n'));
  recorder.marker('signal SIGINT by alice');
  recorder.resize({ cols: 100, rows: 30 });
  recorder.exit({ code: 3, signal: null });
  const outcome: RecordingOutcome = await recorder.closed;
  const cast = await readCast(path);
  assert.equal(cast.header.version, 3);
  assert.deepEqual(cast.header.term, { cols: 80, rows: 24 });
  assert.equal(cast.header.command, "sh -c 'printf '\\''hi'\\'''");
  assert.deepEqual(
    cast.events.map(({ code, data }) => [code, data]),
    [
      ['o', 'hello\n'],
      ['e', 'oops\n'],
      ['m', 'signal SIGINT by alice'],
      ['r', '100x30'],
      ['x', '3'],
    ],
  );
  assert.ok(cast.events.every((event) => event.interval >= 0 && event.interval < 30));
  assert.equal(cast.cutLine, undefined);
  assert.deepEqual(outcome, {
    bytes: (await stat(path)).size,
    droppedBytes: 0,
    limitReached: false,
    failed: false,
  });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('characters split across chunks stay whole and invalid bytes become U+FFFD', async () => {
  const path = newFile();
  const recorder = recorderOn(new FileSink(path));
  const euro = bytes('€'); // e2 82 ac
  const smile = bytes('😀'); // 4 bytes
  recorder.output('stdout', euro.subarray(0, 1));
  recorder.output('stderr', smile.subarray(0, 2));
  await turn();
  recorder.output('stdout', euro.subarray(1));
  recorder.output('stderr', smile.subarray(2));
  recorder.output('stdout', Buffer.from([0x41, 0xff, 0x42]));
  recorder.output('stdout', bytes('é').subarray(0, 1)); // never completed
  recorder.exit({ code: null, signal: 'SIGKILL' });
  await recorder.closed;
  const cast = await readCast(path);
  assert.equal(streamText(cast, 'o'), '€A\uFFFDB\uFFFD');
  assert.equal(streamText(cast, 'e'), '😀');
  assert.deepEqual(cast.events.at(-1), { interval: cast.events.at(-1)?.interval, code: 'x', data: '137' });
});

test('output is escaped exactly as JSON.stringify escapes it, and split characters stay whole between ASCII', async () => {
  const path = newFile();
  const recorder = recorderOn(new FileSink(path));
  const every = Buffer.from(Array.from({ length: 128 }, (_, byte) => byte));
  recorder.output('stdout', every);
  recorder.output('stdout', bytes('\u00e9').subarray(0, 1));
  await turn();
  recorder.output('stdout', Buffer.concat([bytes('\u00e9').subarray(1), bytes('ok "quoted" \\ \x1b[0m\n')]));
  recorder.output('stdout', bytes('plain ascii after\r\n'));
  recorder.output('stdout', bytes('\u20ac').subarray(0, 2));
  recorder.output('stdout', bytes('tail'));
  recorder.exit({ code: 0, signal: null });
  await recorder.closed;
  const cast = await readCast(path);
  assert.equal(
    streamText(cast, 'o'),
    `${every.toString('latin1')}\u00e9ok "quoted" \\ \x1b[0m\nplain ascii after\r\n\uFFFDtail`,
  );
  // Escaped as JSON.stringify escapes: the file is what a player expects, byte for byte.
  const lines = (await readFile(path, 'utf8')).split('\n');
  assert.equal(lines[1]?.slice(lines[1].indexOf('"o", ') + 5, -1), JSON.stringify(every.toString('latin1')));
});

test('an ASCII chunk on one stream leaves a character pending on the other whole', async () => {
  const path = newFile();
  const recorder = recorderOn(new FileSink(path));
  const euro = bytes('\u20ac');
  recorder.output('stderr', euro.subarray(0, 1));
  recorder.output('stdout', bytes('ascii "a"\n'));
  recorder.output('stderr', euro.subarray(1));
  recorder.output('stdout', bytes('more\t\x00'));
  recorder.output('stderr', bytes('!'));
  recorder.exit({ code: 0, signal: null });
  await recorder.closed;
  const cast = await readCast(path);
  assert.equal(streamText(cast, 'o'), 'ascii "a"\nmore\t\x00');
  assert.equal(streamText(cast, 'e'), '\u20ac!');
  // Each line as eventLine writes it: the data part is JSON.stringify's, byte for byte.
  const lines = (await readFile(path, 'utf8')).split('\n').slice(1, -1);
  for (const [index, event] of cast.events.entries()) {
    assert.equal(lines[index]?.slice(lines[index].indexOf(', "') + 7, -1), JSON.stringify(event.data));
  }
});

test('input is recorded only when the options say so', async () => {
  const without = newFile();
  const off = recorderOn(new FileSink(without));
  off.input(bytes('secret\n'));
  off.exit({ code: 0, signal: null });
  await off.closed;
  assert.equal(streamText(await readCast(without), 'i'), '');

  const withInput = newFile();
  const on = recorderOn(new FileSink(withInput), { input: true });
  on.input(bytes('2+3\n'));
  on.exit({ code: 0, signal: null });
  await on.closed;
  assert.equal(streamText(await readCast(withInput), 'i'), '2+3\n');
});

test('a file stops growing at its limit: a marker says so, and only the exit follows', async () => {
  const path = newFile();
  const recorder = recorderOn(new FileSink(path), { maxBytes: 4096 });
  for (let i = 0; i < 100; i += 1) {
    recorder.output('stdout', bytes(`${String(i).padStart(3, '0')} ${'x'.repeat(95)}\n`));
    if (i % 10 === 0) await turn();
  }
  recorder.marker('after the limit');
  recorder.exit({ code: 0, signal: null });
  const outcome = await recorder.closed;
  const size = (await stat(path)).size;
  assert.ok(size <= 4096, `${size} bytes`);
  assert.equal(outcome.limitReached, true);
  const cast = await readCast(path);
  assert.deepEqual(
    cast.events.slice(-2).map(({ code, data }) => [code, data]),
    [
      ['m', 'recording stopped: limit 4096 bytes reached'],
      ['x', '0'],
    ],
  );
  // What is there is the output's beginning, in order, whole events only.
  const text = streamText(cast, 'o');
  assert.ok(text.length > 2000);
  assert.ok(
    `${Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')} ${'x'.repeat(95)}\n`).join('')}`.startsWith(
      text,
    ),
  );
});

test('a disk slower than the session: output beyond the queue bound is dropped, counted and marked, and nothing waits', async () => {
  const path = newFile();
  const sink = new GatedSink(path);
  sink.hold();
  const recorder = recorderOn(sink, { maxQueueBytes: 16 });
  recorder.output('stdout', bytes('first-10b\n')); // taken: nothing waited
  await turn(); // the drain starts its first write, which the disk holds
  assert.equal(sink.writesStarted, 1);
  const started = performance.now();
  for (let i = 0; i < 50; i += 1) recorder.output('stdout', bytes('dropped-0\n'));
  recorder.marker('kept while held');
  assert.ok(performance.now() - started < 1000, 'the calls returned without waiting for the disk');
  await turn();
  await turn();
  assert.equal(sink.writesStarted, 1, 'one write in flight at a time');
  sink.release();
  // Once the queue has drained, the dropped stretch is marked; then recording goes on.
  const deadline = Date.now() + 10_000;
  while (!(await readFile(path, 'utf8').catch(() => '')).includes('recording dropped')) {
    assert.ok(Date.now() < deadline, 'the dropped-stretch marker is written');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  recorder.output('stdout', bytes('after\n'));
  recorder.exit({ code: 0, signal: null });
  const outcome = await recorder.closed;
  assert.equal(outcome.droppedBytes, 500);
  const cast = await readCast(path);
  assert.deepEqual(
    cast.events.map(({ code, data }) => [code, data]),
    [
      ['o', 'first-10b\n'],
      ['m', 'kept while held'],
      ['m', 'recording dropped 500 bytes: disk too slow'],
      ['o', 'after\n'],
      ['x', '0'],
    ],
  );
});

test('streaming output goes out in few large writes, a quiet session’s at once, and nothing waits long', async () => {
  const path = newFile();
  const sink = new GatedSink(path);
  const recorder = recorderOn(sink);
  recorder.output('stdout', bytes('prompt$ '));
  await turn();
  assert.equal(sink.writesStarted, 1, 'the first lines are written at once');
  await new Promise((resolve) => setTimeout(resolve, 20));
  const line = bytes(`${'x'.repeat(99)}\n`);
  // A write takes well under a millisecond here: each line would go out in a write of its own.
  for (let i = 0; i < 50; i += 1) {
    recorder.output('stdout', line);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  // Nothing closes the recording: what waits is written within a few milliseconds all the same.
  const deadline = Date.now() + 10_000;
  while (!(await readFile(path, 'utf8')).endsWith(`${JSON.stringify(line.toString())}]\n`)) {
    assert.ok(Date.now() < deadline, 'the last line is written without a close');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.ok(sink.writesStarted < 30, `${sink.writesStarted} writes for 51 events`);
  recorder.exit({ code: 0, signal: null });
  await recorder.closed;
  const cast = await readCast(path);
  assert.equal(streamText(cast, 'o'), `prompt$ ${line.toString().repeat(50)}`);
});

test('intervals are relative to the previous event and add up to the time that passed', async () => {
  const path = newFile();
  const recorder = recorderOn(new FileSink(path));
  const started = performance.now();
  recorder.output('stdout', bytes('a'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  recorder.output('stdout', bytes('b'));
  const elapsed = (performance.now() - started) / 1000;
  recorder.exit({ code: 0, signal: null });
  await recorder.closed;
  const cast = await readCast(path);
  const [a, b] = cast.events;
  assert.ok(b !== undefined && a !== undefined);
  assert.ok(b.interval >= 0.19 && b.interval < elapsed + 0.05, `second interval ${b.interval}`);
  const total = cast.events.reduce((sum, event) => sum + event.interval, 0);
  assert.ok(total >= 0.19 && total < 10, `total ${total}`);
});
