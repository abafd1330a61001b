import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import xtermHeadless from '@xterm/headless';
import { ScreenTracker } from '../../../server/src/screen/index.ts';
import { KEPT_BYTES } from '../../../server/src/screen/unopened.ts';
import { spareBatches } from '../../../server/src/screen/worker-host.ts';

const { Terminal } = xtermHeadless;
const encoder = new TextEncoder();

/** The scrollback and screen of `terminal` as text, trailing blank lines dropped. */
function textOf(terminal: InstanceType<typeof Terminal>): string {
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y += 1) lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
  while (lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}

/** Writes `data` into a fresh headless terminal and returns its scrollback and screen as text. */
async function render(data: string, cols: number, rows: number, scrollback = 1000): Promise<string> {
  const terminal = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(data, resolve));
  const text = textOf(terminal);
  terminal.dispose();
  return text;
}

/** As `render`, the terminal resized from `cols` to `newCols` after the first `at` bytes. */
async function renderResized(bytes: Uint8Array, at: number, cols: number, newCols: number): Promise<string> {
  const terminal = new Terminal({ cols, rows: 8, scrollback: 1000, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(bytes.subarray(0, at), resolve));
  terminal.resize(newCols, 8);
  await new Promise<void>((resolve) => terminal.write(bytes.subarray(at), resolve));
  const text = textOf(terminal);
  terminal.dispose();
  return text;
}

/** Resolves once the worker has parsed everything written to `tracker`. */
function drained(tracker: ScreenTracker): Promise<void> {
  return new Promise<void>((resolve) => {
    const subscription = tracker.onParsed((backlog) => {
      if (backlog === 0) {
        subscription.dispose();
        resolve();
      }
    });
  });
}

describe('ScreenTracker', () => {
  test('a snapshot redraws the same screen, and stands for every byte written before it', async () => {
    const tracker = new ScreenTracker({ cols: 40, rows: 10 });
    try {
      const output = 'line one\r\nline two\r\n\x1b[1;31mred\x1b[0m and plain\r\n$ ';
      tracker.write(encoder.encode(output));
      const snapshot = await tracker.snapshot();
      assert.equal(snapshot.offset, encoder.encode(output).byteLength);
      assert.equal(await render(snapshot.data, 40, 10), await tracker.text());
      assert.match(await tracker.text(), /line one\nline two\nred and plain\n\$/);
    } finally {
      tracker.close();
    }
  });

  test('a full-screen program on the alternate screen is redrawn, not replayed as byte soup', async () => {
    const tracker = new ScreenTracker({ cols: 30, rows: 6 });
    try {
      tracker.write(encoder.encode('$ less file\r\n'));
      // Enter the alternate screen, clear it, draw three lines and a status line at the bottom.
      tracker.write(
        encoder.encode('\x1b[?1049h\x1b[H\x1b[2Jalpha\r\nbeta\r\ngamma\x1b[6;1H\x1b[7mfile (END)\x1b[27m'),
      );
      const snapshot = await tracker.snapshot();
      const redrawn = await render(snapshot.data, 30, 6);
      assert.match(redrawn, /alpha\nbeta\ngamma\n\n\nfile \(END\)$/);
      assert.doesNotMatch(redrawn, /\$ less file/, 'the alternate screen hides the shell');
    } finally {
      tracker.close();
    }
  });

  test('UTF-8 split across writes and wide characters survive', async () => {
    const tracker = new ScreenTracker({ cols: 20, rows: 4 });
    try {
      const bytes = encoder.encode('héllo 世界 ✓\r\n');
      for (const byte of bytes) tracker.write(Uint8Array.of(byte));
      assert.equal(await tracker.text(), 'héllo 世界 ✓');
    } finally {
      tracker.close();
    }
  });

  test('a resize takes effect at its place in the stream', async () => {
    const tracker = new ScreenTracker({ cols: 10, rows: 4 });
    try {
      tracker.write(encoder.encode('0123456789abcdef'));
      tracker.resize(20, 4);
      tracker.write(encoder.encode('\r\n0123456789abcdef'));
      // Written at 10 columns the first line wrapped; after the resize the second did not.
      const text = await tracker.text();
      assert.ok(text.endsWith('\n0123456789abcdef'), text);
    } finally {
      tracker.close();
    }
  });

  test('the backlog drains to zero once the worker has parsed everything', async () => {
    const tracker = new ScreenTracker({ cols: 80, rows: 24 });
    try {
      const chunk = encoder.encode('y\n'.repeat(32 * 1024));
      for (let i = 0; i < 16; i += 1) tracker.write(chunk);
      assert.ok(tracker.backlogBytes > 0);
      await drained(tracker);
      assert.equal(tracker.backlogBytes, 0);
      assert.equal(tracker.offset, 16 * chunk.byteLength);
    } finally {
      tracker.close();
    }
  });

  test('small writes are gathered, yet a snapshot right after them reflects every one', async () => {
    const tracker = new ScreenTracker({ cols: 40, rows: 5 });
    try {
      const typed = 'echo typed one key at a time\r\nand a second line';
      for (const byte of encoder.encode(typed)) tracker.write(Uint8Array.of(byte));
      assert.equal(tracker.backlogBytes, typed.length);
      const snapshot = await tracker.snapshot();
      assert.equal(snapshot.offset, typed.length);
      assert.equal(await render(snapshot.data, 40, 5), 'echo typed one key at a time\nand a second line');
      // Gathered output also goes on its own, so the backlog drains without anyone asking.
      tracker.write(encoder.encode('!'));
      assert.equal(tracker.backlogBytes, 1);
      await drained(tracker);
    } finally {
      tracker.close();
    }
  });

  test('a flood reuses its batches, and none is reused while the screen still reads it', async () => {
    // 5,000 lines of scrollback: the worker keeps ~400 KB of plain text unparsed (feed.ts), views
    // of several batches at once, while the batches before them come back and are filled again. A
    // batch taken back too early is detached in the worker, and its lines would be missing below.
    const cols = 200;
    const rows = 10;
    const scrollback = 5000;
    const tracker = new ScreenTracker({ cols, rows, scrollback });
    try {
      let output = '';
      for (let round = 0; round < 24; round += 1) {
        let chunk = '';
        for (let line = 0; line < 1600; line += 1) {
          chunk += `round ${round} line ${line} ${'x'.repeat((line * 7) % 120)}\r\n`;
        }
        output += chunk;
        const bytes = encoder.encode(chunk);
        for (let at = 0; at < bytes.byteLength; at += 64 * 1024)
          tracker.write(bytes.subarray(at, at + 64 * 1024));
        await drained(tracker);
      }
      assert.ok(spareBatches() > 0, 'the worker gave batches back');
      assert.equal(await tracker.text(), await render(output, cols, rows, scrollback));
    } finally {
      tracker.close();
    }
  });

  test('a screen kept as bytes, then made a terminal past its bound or at a resize, is the same', async () => {
    // Colours, a wide character split across writes, wrapped lines: fed in uneven writes that
    // cross KEPT_BYTES, the point where the worker makes the terminal and parses what it kept.
    let output = '';
    for (let line = 0; output.length < KEPT_BYTES * 2; line += 1) {
      output += `\x1b[3${line % 8}mline ${line}\x1b[0m 世界 ${'w'.repeat((line * 13) % 90)}\r\n`;
    }
    const bytes = encoder.encode(output);
    // A resize before any output is taken as the terminal's size; one after output makes it.
    for (const resizeFrom of [0, 100]) {
      const tracker = new ScreenTracker({ cols: 60, rows: 8 });
      try {
        let resizedAt = -1;
        let at = 0;
        for (let size = 1; at < bytes.byteLength; size = (size * 7) % 3001) {
          if (resizedAt < 0 && at >= resizeFrom) {
            tracker.resize(50, 8);
            resizedAt = at;
          }
          tracker.write(bytes.subarray(at, at + size));
          at += size;
        }
        assert.equal(await tracker.text(), await renderResized(bytes, resizedAt, 60, 50));
      } finally {
        tracker.close();
      }
    }
  });

  test('requests after close are refused instead of hanging', async () => {
    const tracker = new ScreenTracker({ cols: 80, rows: 24 });
    tracker.close();
    await assert.rejects(tracker.snapshot(), /closed/);
  });
});
