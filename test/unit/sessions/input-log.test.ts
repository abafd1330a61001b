// What control clients typed, kept beside the output (input-log.ts) and sent by the fan-out in its
// place: a client that asked gets each input just before the output that followed it, live or
// replayed, once; a client that did not ask gets none; the log is bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameType } from '@shellgate/shared';
import type { ServerMessage } from '@shellgate/shared';
import { Attachment } from '../../../server/src/sessions/attachment.ts';
import type { ClientSink } from '../../../server/src/sessions/attachment.ts';
import { Fanout } from '../../../server/src/sessions/fanout.ts';
import { InputLog } from '../../../server/src/sessions/input-log.ts';
import { ReplayBuffer } from '../../../server/src/sessions/replay.ts';

const encoder = new TextEncoder();

/** What a client saw, as text: output bytes as they are, inputs as `[typed]`. */
function transcriptSink(): ClientSink & { text: string } {
  const sink = {
    text: '',
    sendFrame: (frame: Uint8Array) => {
      sink.text += Buffer.from(frame.subarray(1)).toString('utf8');
    },
    sendMessage: (message: ServerMessage) => {
      if (message.type === 'input') sink.text += `[${message.data}]`;
    },
    close: () => undefined,
  };
  return sink;
}

function session() {
  const replay = new ReplayBuffer(1 << 20);
  const inputs = new InputLog(1024);
  const fanout = new Fanout(replay, { windowBytes: 1 << 20, viewerLagBytes: 1 << 20 }, inputs);
  return {
    fanout,
    inputs,
    output(text: string) {
      const start = replay.end;
      const frame = replay.append(FrameType.Stdout, Buffer.from(text));
      fanout.relay(frame, start, replay.end);
    },
    typed(text: string) {
      fanout.inputRecorded(inputs.record(replay.end, encoder.encode(text)));
    },
    attach(inputSeq: number | null) {
      const sink = transcriptSink();
      const attachment = new Attachment(sink, 'view', 0, inputSeq);
      fanout.beginJoin(attachment);
      fanout.join(attachment);
      fanout.pump(attachment);
      return sink;
    },
  };
}

test('a client that asked sees each input before the output that followed it, live and replayed', () => {
  const s = session();
  const live = s.attach(0);
  const plain = s.attach(null);
  s.typed('x=7\n');
  s.typed('x*6\n');
  s.output('42\n');
  s.typed('1/0\n');
  s.output('error\n');
  assert.equal(live.text, '[x=7\n][x*6\n]42\n[1/0\n]error\n');
  assert.equal(plain.text, '42\nerror\n', 'nothing new for a client that did not ask');
  assert.equal(s.attach(0).text, live.text, 'a late client gets the same transcript from the replay');
  assert.equal(s.attach(2).text, '42\n[1/0\n]error\n', 'from input 2 on: the earlier ones are not repeated');
});

test('the log keeps at most its byte budget, dropping the oldest, and forgets what precedes an offset', () => {
  const log = new InputLog(8);
  for (const text of ['aaaa', 'bbbb', 'cccc']) log.record(0, encoder.encode(text));
  assert.deepEqual(
    log.due(0, 0).map((entry) => entry.data),
    ['bbbb', 'cccc'],
  );
  log.record(5, encoder.encode('d'));
  log.dropBefore(5);
  assert.deepEqual(
    log.due(0, 10).map((entry) => [entry.seq, entry.data]),
    [[3, 'd']],
  );
  assert.equal(log.nextSeq, 4);
});
