// Fan-out over a real replay buffer to recording sinks: the order each client sees (hello is the
// session's; here output, gaps and exit), live frames shared, lagging viewers skipped and resumed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameType } from '@shellgate/shared';
import type { ServerMessage } from '@shellgate/shared';
import { Attachment } from '../../../server/src/sessions/attachment.ts';
import type { ClientSink } from '../../../server/src/sessions/attachment.ts';
import { Fanout } from '../../../server/src/sessions/fanout.ts';
import { ReplayBuffer } from '../../../server/src/sessions/replay.ts';

type Event = { frame: number } | { message: ServerMessage } | { closed: number };

function recordingSink(): ClientSink & { events: Event[]; bytes(): number } {
  const events: Event[] = [];
  return {
    events,
    sendFrame: (frame) => events.push({ frame: frame.length - 1 }),
    sendMessage: (message) => events.push({ message }),
    close: (code) => events.push({ closed: code }),
    bytes: () => events.reduce((sum, event) => sum + ('frame' in event ? event.frame : 0), 0),
  };
}

function setup(replayBytes = 1 << 20): {
  replay: ReplayBuffer;
  fanout: Fanout;
  append: (n: number) => void;
} {
  const replay = new ReplayBuffer(replayBytes);
  const fanout = new Fanout(replay, { windowBytes: 1 << 20, viewerLagBytes: 10_000 });
  return {
    replay,
    fanout,
    append: (n) => {
      const start = replay.end;
      const frame = replay.append(FrameType.Stdout, Buffer.alloc(n, 0x61));
      fanout.relay(frame, start, replay.end);
    },
  };
}

function joined(
  fanout: Fanout,
  role: 'control' | 'view',
  offset: number,
): Attachment & { sink: ReturnType<typeof recordingSink> } {
  const sink = recordingSink();
  const attachment = new Attachment(sink, role, offset);
  fanout.beginJoin(attachment);
  assert.equal(fanout.join(attachment), true);
  fanout.pump(attachment);
  return Object.assign(attachment, { sink });
}

test('a client joining from an offset gets the bytes after it, then live output', () => {
  const { fanout, append } = setup();
  append(3000);
  const client = joined(fanout, 'control', 1000);
  assert.equal(client.sink.bytes(), 2000);
  append(500);
  assert.equal(client.sink.bytes(), 2500);
  assert.equal(client.sent, 3500);
});

test('a client whose bytes left the replay buffer gets a gap, then the rest', () => {
  const { replay, fanout, append } = setup(8 * 1024);
  for (let i = 0; i < 10; i += 1) append(4096);
  assert.ok(replay.start > 0);
  const client = joined(fanout, 'control', 0);
  const first = client.sink.events[0];
  assert.deepEqual(first, { message: { type: 'gap', from: 0, to: replay.start } });
  assert.equal(client.sink.bytes(), replay.end - replay.start);
});

test('a viewer a full lag behind stops receiving until it acknowledges half of it', () => {
  const { fanout, append } = setup();
  const viewer = joined(fanout, 'view', 0);
  append(6000);
  append(6000);
  assert.equal(viewer.lagging, true);
  append(6000);
  assert.equal(viewer.sink.bytes(), 12_000, 'nothing more once lagging');
  viewer.acked = 6000;
  fanout.acknowledged(viewer);
  assert.equal(viewer.lagging, true, 'still more than half a lag behind');
  viewer.acked = 7000;
  fanout.acknowledged(viewer);
  // Stored frames go out whole: a viewer may get up to one frame more than its lag.
  assert.equal(viewer.sink.bytes(), 18_000, 'sent the frame it missed');
  assert.equal(viewer.lagging, false, 'it has every byte now');
});

test('exit goes to each client only after every byte, and only once', () => {
  const { fanout, append } = setup();
  const viewer = joined(fanout, 'view', 0);
  append(6000);
  append(6000);
  append(6000);
  fanout.exited({ code: 0, signal: null });
  assert.equal(
    viewer.sink.events.some((event) => 'message' in event && event.message.type === 'exit'),
    false,
    'a lagging viewer has not had every byte yet',
  );
  viewer.acked = viewer.sent;
  fanout.acknowledged(viewer);
  assert.equal(viewer.sink.bytes(), 18_000);
  fanout.pump(viewer);
  const exits = viewer.sink.events.filter((event) => 'message' in event && event.message.type === 'exit');
  assert.equal(exits.length, 1);
  assert.deepEqual(viewer.sink.events.at(-1), { message: { type: 'exit', code: 0, signal: null } });
});

test('closing closes joined and joining clients alike and forgets them', () => {
  const { fanout } = setup();
  const client = joined(fanout, 'control', 0);
  const waiting = new Attachment(recordingSink(), 'view', 0);
  fanout.beginJoin(waiting);
  assert.equal(fanout.size, 2);
  fanout.closeAll(4000, 'gone');
  assert.deepEqual(client.sink.events.at(-1), { closed: 4000 });
  assert.equal(fanout.size, 0);
  assert.equal(fanout.join(waiting), false, 'a client closed while joining never joins');
});
