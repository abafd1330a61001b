import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACK_BYTES,
  ACK_DELAY_MS,
  FrameType,
  MAX_ACK_BYTES,
  RECONNECT,
  StreamClient,
  encodeFrame,
} from '@shellgate/shared';
import type { ProbeVerdict, StreamClientOptions } from '@shellgate/shared';
import { ManualClock, hello, socketLog } from './scripted.ts';
import type { ScriptedSocket } from './scripted.ts';

const decoder = new TextDecoder();

function setup(options: Partial<StreamClientOptions> = {}) {
  const clock = new ManualClock();
  const log = socketLog();
  const client = new StreamClient({
    open: log.open,
    scheduler: clock,
    role: 'control',
    random: () => 0,
    ...options,
  });
  const output: Array<{ stream: string; text: string; end: number }> = [];
  const states: string[] = [];
  const stops: string[] = [];
  client.onOutput((stream, bytes, end) => output.push({ stream, text: decoder.decode(bytes), end }));
  client.onState((state, detail) => states.push(`${state}: ${detail}`));
  client.onStop((reason, detail) => stops.push(`${reason}: ${detail}`));
  client.start();
  const socket = (index: number): ScriptedSocket => {
    const found = log.sockets[index];
    assert.ok(found, `socket ${index} was opened`);
    return found;
  };
  return { client, clock, sockets: log.sockets, socket, output, states, stops };
}

const acks = (socket: ScriptedSocket): unknown[] =>
  socket
    .sentMessages()
    .filter(
      (message) =>
        typeof message === 'object' && message !== null && 'type' in message && message.type === 'ack',
    );

test('output resent after a resume from behind reaches the consumer exactly once', () => {
  const { clock, socket, output } = setup();
  assert.deepEqual(socket(0).query, { offset: undefined, role: 'control' });
  socket(0).open();
  socket(0).message(hello(0));
  socket(0).stdout('abc');
  socket(0).stdout('def');
  socket(0).drop();
  clock.advance(RECONNECT.baseMs);
  assert.deepEqual(socket(1).query, { offset: 6, role: 'control' }, 'the reconnect asks for the next byte');
  socket(1).open();
  socket(1).message(hello(2)); // the gateway resends from further back
  socket(1).stdout('cd');
  socket(1).stdout('efgh');
  socket(1).stdout('i');
  assert.deepEqual(output, [
    { stream: 'stdout', text: 'abc', end: 3 },
    { stream: 'stdout', text: 'def', end: 6 },
    { stream: 'stdout', text: 'gh', end: 8 },
    { stream: 'stdout', text: 'i', end: 9 },
  ]);
});

test('without hello.window (an older gateway), ACK_BYTES processed are acked at once', () => {
  const { client, socket } = setup();
  socket(0).open();
  socket(0).message(hello(0));
  socket(0).receive(encodeFrame(FrameType.Stdout, new Uint8Array(ACK_BYTES)));
  client.processed(ACK_BYTES);
  assert.deepEqual(acks(socket(0)), [{ type: 'ack', offset: ACK_BYTES }]);
});

test('a quarter of hello.window is acked at once, up to MAX_ACK_BYTES; a new connection takes its own window', () => {
  const { client, clock, socket } = setup();
  socket(0).open();
  socket(0).message(hello(0, { window: 512 * 1024 }));
  socket(0).receive(encodeFrame(FrameType.Stdout, new Uint8Array(200 * 1024)));
  client.processed(ACK_BYTES);
  client.processed(128 * 1024 - 1);
  assert.deepEqual(acks(socket(0)), [], 'nothing before a quarter of 512 KiB');
  client.processed(128 * 1024);
  assert.deepEqual(acks(socket(0)), [{ type: 'ack', offset: 128 * 1024 }]);
  socket(0).drop();
  clock.advance(RECONNECT.baseMs);
  socket(1).open();
  socket(1).message(hello(200 * 1024, { window: 4096 }));
  socket(1).receive(encodeFrame(FrameType.Stdout, new Uint8Array(MAX_ACK_BYTES * 8)));
  client.processed(200 * 1024 + 1023);
  assert.deepEqual(acks(socket(1)), []);
  client.processed(200 * 1024 + 1024);
  assert.deepEqual(
    acks(socket(1)),
    [{ type: 'ack', offset: 200 * 1024 + 1024 }],
    'a small window, small acks',
  );
  socket(1).drop();
  clock.advance(RECONNECT.baseMs * 2);
  socket(2).open();
  socket(2).message(hello(201 * 1024, { window: 64 * 1024 * 1024 }));
  socket(2).receive(encodeFrame(FrameType.Stdout, new Uint8Array(MAX_ACK_BYTES * 2)));
  client.processed(201 * 1024 + MAX_ACK_BYTES - 1);
  assert.deepEqual(acks(socket(2)), []);
  client.processed(201 * 1024 + MAX_ACK_BYTES);
  assert.deepEqual(
    acks(socket(2)),
    [{ type: 'ack', offset: 201 * 1024 + MAX_ACK_BYTES }],
    'a large window, capped',
  );
});

test('less than ACK_BYTES is acked once, ACK_DELAY_MS after the first of it was processed', () => {
  const { client, clock, socket } = setup();
  socket(0).open();
  socket(0).message(hello(0));
  socket(0).stdout('x'.repeat(30));
  client.processed(10);
  clock.advance(ACK_DELAY_MS - 1);
  client.processed(20);
  client.processed(30);
  assert.deepEqual(acks(socket(0)), []);
  clock.advance(1);
  assert.deepEqual(acks(socket(0)), [{ type: 'ack', offset: 30 }]);
  client.processed(30);
  clock.advance(ACK_DELAY_MS);
  assert.equal(acks(socket(0)).length, 1, 'nothing new, no new ack');
});

test('an ack never passes what the connection received, and none goes out while disconnected', () => {
  const { client, clock, socket } = setup();
  socket(0).open();
  socket(0).message(hello(0));
  socket(0).stdout('0123456789');
  client.processed(1000);
  clock.advance(ACK_DELAY_MS);
  assert.deepEqual(acks(socket(0)), [{ type: 'ack', offset: 10 }]);
  socket(0).drop();
  client.processed(2000);
  clock.advance(ACK_DELAY_MS);
  assert.deepEqual(acks(socket(0)), [{ type: 'ack', offset: 10 }], 'nothing sent on a closed socket');
  assert.equal(client.send({ type: 'ack', offset: 10 }), false);
});

test('a snapshot is handed on, is not a resume, and the live stream follows from its hello', () => {
  const { client, socket, output } = setup();
  const snapshots: string[] = [];
  const hellos: boolean[] = [];
  client.onSnapshot((bytes) => snapshots.push(decoder.decode(bytes)));
  client.onHello((_message, resumed) => hellos.push(resumed));
  socket(0).open();
  socket(0).message(hello(500, { snapshot: true }));
  socket(0).receive(encodeFrame(FrameType.Snapshot, new TextEncoder().encode('\x1b[Hscreen')));
  socket(0).stdout('$ ');
  assert.deepEqual(snapshots, ['\x1b[Hscreen']);
  assert.deepEqual(hellos, [false]);
  assert.deepEqual(output, [{ stream: 'stdout', text: '$ ', end: 502 }]);
});

test('a gap is reported, output continues after it, and a reconnect asks for what follows', () => {
  const { client, clock, socket, output } = setup({ offset: 0 });
  const gaps: Array<[number, number]> = [];
  client.onGap((from, to) => gaps.push([from, to]));
  socket(0).open();
  socket(0).message(hello(0));
  socket(0).message({ type: 'gap', from: 0, to: 4096 });
  socket(0).stdout('tail');
  assert.deepEqual(gaps, [[0, 4096]]);
  assert.deepEqual(output, [{ stream: 'stdout', text: 'tail', end: 4100 }]);
  socket(0).drop();
  clock.advance(RECONNECT.baseMs);
  assert.equal(socket(1).query.offset, 4100);
});

test('retries back off, capped at the maximum, and start again from the base after a hello', () => {
  const { clock, socket, sockets, states } = setup();
  const waits: number[] = [];
  for (let attempt = 0; attempt < 7; attempt += 1) {
    socket(attempt).open();
    socket(attempt).drop(1011, 'oops');
    waits.push(...clock.pending());
    clock.advance(RECONNECT.maxMs);
  }
  assert.deepEqual(waits, [125, 250, 500, 1000, 2000, 2500, 2500]);
  assert.match(states.at(-2) ?? '', /^reconnecting: connection lost: oops \(1011\); retrying in 2\.5 s$/);
  const last = socket(sockets.length - 1);
  last.open();
  last.message(hello(0));
  last.drop();
  assert.deepEqual(clock.pending(), [125]);
});

test('a close code that says stop ends the client with its sentence and no retry', () => {
  const { socket, clock, states, stops } = setup();
  socket(0).open();
  socket(0).message(hello(0));
  socket(0).drop(4000, 'deleted');
  assert.deepEqual(clock.pending(), []);
  assert.equal(states.at(-1), 'offline: the session is gone');
  assert.deepEqual(stops, ['gone: the session is gone']);
});

test('after the exit a dropped connection ends the client instead of reconnecting', () => {
  const { client, socket, clock, stops } = setup();
  socket(0).open();
  socket(0).message(hello(0));
  socket(0).message({ type: 'exit', code: 0, signal: null });
  assert.equal(client.exited, true);
  socket(0).drop(1000, '');
  assert.deepEqual(clock.pending(), []);
  assert.deepEqual(stops, ['ended: session ended']);
});

test('a connection closed before it opened asks the probe whether to retry', async () => {
  const answers: ProbeVerdict[] = ['retry', 'unauthorized'];
  let asked = 0;
  const probe = (): Promise<ProbeVerdict> => Promise.resolve(answers[asked++] ?? 'retry');
  const { socket, clock, states, stops } = setup({ probe });
  socket(0).drop(1006, '');
  await Promise.resolve();
  assert.equal(asked, 1);
  assert.equal(states.at(-1), 'reconnecting: cannot connect: code 1006; retrying in 0.1 s');
  clock.advance(RECONNECT.baseMs);
  socket(1).drop(1006, '');
  await Promise.resolve();
  assert.equal(asked, 2);
  assert.deepEqual(clock.pending(), []);
  assert.deepEqual(stops, ['unauthorized: signed out']);
});

test('an unreadable message or frame from the gateway becomes an error event, not a throw', () => {
  const { client, socket } = setup();
  const codes: string[] = [];
  client.onMessage((message) => codes.push(message.type === 'error' ? message.code : message.type));
  socket(0).open();
  socket(0).receive('{"type":"nonsense"}');
  socket(0).receive(new Uint8Array([0x7f, 1]));
  assert.deepEqual(codes, ['INTERNAL', 'INVALID_FRAME']);
});

test('messages go out only once greeted, and dispose closes with 1000 and silences the client', () => {
  const { client, socket, output, states } = setup();
  socket(0).open();
  assert.equal(client.sendStdin(new Uint8Array([1])), false, 'no hello yet');
  socket(0).message(hello(0));
  assert.equal(client.sendStdin(new Uint8Array([0x61])), true);
  const frame = socket(0).sent[0];
  assert.ok(frame instanceof Uint8Array);
  assert.deepEqual([...frame], [FrameType.Stdin, 0x61]);
  const before = states.length;
  client.dispose();
  assert.deepEqual(socket(0).closedWith, { code: 1000, reason: 'client left' });
  socket(0).stdout('late');
  socket(0).drop(1000, '');
  assert.deepEqual(output, []);
  assert.equal(states.length, before);
  assert.equal(client.send({ type: 'close-stdin' }), false);
});
