// The screen feed skips plain text that scrolls out of reach: every snapshot must still be the one
// a terminal that parsed every byte would give. Each case feeds the same chunks to a ScreenFeed and
// to a reference terminal and compares the serialized screens, cursors and texts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import xtermHeadless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import { ScreenFeed } from '../../../server/src/screen/feed.ts';

const { Terminal } = xtermHeadless;
const { SerializeAddon } = serializeAddon;
const encoder = new TextEncoder();

interface Size {
  cols: number;
  rows: number;
  scrollback?: number;
}

function terminal({ cols, rows, scrollback = 1000 }: Size) {
  const term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
  const serializer = new SerializeAddon();
  term.loadAddon(serializer);
  return { term, serializer };
}

function state(term: InstanceType<typeof Terminal>, serializer: InstanceType<typeof SerializeAddon>) {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y += 1) {
    const line = buffer.getLine(y);
    lines.push(`${line?.isWrapped === true ? '~' : ' '}${line?.translateToString() ?? ''}`);
  }
  return {
    serialized: serializer.serialize(),
    cursor: [buffer.cursorX, buffer.cursorY, buffer.baseY, buffer.type],
    lines: lines.join('\n'),
  };
}

/**
 * Feeds `chunks` both ways, checking at every `checkEvery`-th chunk (and at the end) that the
 * screens agree; returns the bytes the feed skipped.
 */
async function compare(
  size: Size,
  chunks: Uint8Array[],
  checkEvery = Number.POSITIVE_INFINITY,
): Promise<number> {
  const fed = terminal(size);
  const reference = terminal(size);
  const feed = new ScreenFeed(fed.term);
  try {
    for (const [index, chunk] of chunks.entries()) {
      feed.write(chunk);
      reference.term.write(chunk);
      if ((index + 1) % checkEvery === 0 || index === chunks.length - 1) {
        await new Promise<void>((resolve) => reference.term.write('', resolve));
        feed.settle();
        assert.deepEqual(
          state(fed.term, fed.serializer),
          state(reference.term, reference.serializer),
          `after chunk ${index}`,
        );
      }
    }
    return feed.skippedBytes;
  } finally {
    fed.term.dispose();
    reference.term.dispose();
  }
}

function chunked(data: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return chunks;
}

/** A small deterministic PRNG, so that a failing case can be rerun. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ScreenFeed', () => {
  test('a newline-free flood that wraps is skipped and leaves the same screen', async () => {
    const data = encoder.encode('\x1b[1;32mcolour\x1b[0m then ' + 'x'.repeat(2 * 1024 * 1024 + 17));
    const skipped = await compare({ cols: 80, rows: 24 }, chunked(data, 65536));
    assert.ok(skipped > 1024 * 1024, `skipped ${skipped}`);
  });

  test('lines of text with CR LF are skipped and leave the same screen, cursor mid-line', async () => {
    let text = '';
    for (let i = 0; i < 40000; i += 1) text += `line ${i} ${'abc'.repeat(i % 37)}\r\n`;
    text += 'prompt$ ';
    const data = encoder.encode(text);
    for (const size of [4096, 65536, 1000003]) {
      const skipped = await compare({ cols: 80, rows: 24 }, chunked(data, size));
      assert.ok(skipped > 0, `chunks of ${size}: nothing skipped`);
    }
  });

  test('bare LF (no CR) keeps the column, and the cursor column at the cut is carried', async () => {
    let text = '';
    for (let i = 0; i < 30000; i += 1) text += `${i % 10}`.repeat(i % 13) + '\n';
    const skipped = await compare({ cols: 50, rows: 10 }, chunked(encoder.encode(text), 8191));
    assert.ok(skipped > 0);
  });

  test('an exactly full line leaves a wrap pending at the cut', async () => {
    const line = 'y'.repeat(40);
    const data = encoder.encode((line + '\r\n').repeat(1500) + line.repeat(3000) + 'tail');
    for (const size of [41, 8192, 8193, 65536])
      await compare({ cols: 40, rows: 5, scrollback: 100 }, chunked(data, size));
  });

  test('states where skipping would be wrong are parsed in full', async () => {
    const flood = 'z'.repeat(300000);
    const cases: Array<[string, string]> = [
      ['scroll region', `\x1b[2;5r${flood}`],
      ['scroll region with status line', `\x1b[24;1Hstatus\x1b[1;23r\x1b[23;1H${'w'.repeat(300000)}`],
      ['cursor below a scroll region', `\x1b[1;20r\x1b[22;1H${'ab\r\ncdefg\r\n'.repeat(30000)}`],
      ['wraparound off', `\x1b[?7l${flood}\r\n${flood}\x1b[?7h${flood}`],
      ['linefeed mode', `\x1b[20h${'ab\n'.repeat(100000)}`],
      ['inside an OSC', `\x1b]0;${flood}\x07after`],
      ['inside a DCS', `\x1bP1$r${flood}\x1b\\after`],
      ['alternate screen', `\x1b[?1049h${flood}\x1b[?1049lback`],
      ['insert mode', `\x1b[4h${'q'.repeat(100)}\r${flood}`],
      ['hyperlink', `\x1b]8;;http://x\x07${flood}\x1b]8;;\x07plain`],
      ['origin mode and tabs', `\x1b[?6h\x1b[3g\x1b[10Gx\x1bH\r${flood}\tt`],
    ];
    for (const [name, text] of cases) {
      const data = encoder.encode(text);
      for (const size of [1, 4097, 65536]) {
        if (size === 1 && data.length > 20000) {
          await compare({ cols: 80, rows: 24, scrollback: 50 }, chunked(data.subarray(0, 20000), size));
          continue;
        }
        await compare({ cols: 80, rows: 24, scrollback: 50 }, chunked(data, size)).catch((error: unknown) => {
          throw new Error(`${name}, chunks of ${size}: ${String(error)}`);
        });
      }
    }
  });

  test('a stretch with too few rows to drop anything is parsed once it passes its bound', async () => {
    // Without wraparound a line never moves down: 1.5 MiB on one row.
    const data = encoder.encode(
      `\x1b[?7l${'abc'.repeat(512 * 1024)}\r\nnext line\x1b[?7h${'d'.repeat(5000)}`,
    );
    await compare({ cols: 80, rows: 24 }, chunked(data, 65536));
  });

  test('a byte that is not plain is found wherever it sits in a long run', async () => {
    // Long runs are scanned four bytes at a time: put each kind of byte at each place in a word.
    for (const odd of ['\x1b[31m', '\x7f', '\x1f', '\u0085', 'é', '\x0e']) {
      for (let at = 64; at < 72; at += 1) {
        const data = encoder.encode(
          `${'a'.repeat(at)}${odd}${'b'.repeat(120000)}\x0f\x1b[0m${'c'.repeat(20)}`,
        );
        for (const offset of [0, 1, 2, 3]) {
          const padded = new Uint8Array(data.length + offset);
          padded.set(data, offset);
          await compare({ cols: 40, rows: 5, scrollback: 20 }, [padded.subarray(offset)]).catch(
            (error: unknown) => {
              throw new Error(`${JSON.stringify(odd)} at ${at}, offset ${offset}: ${String(error)}`);
            },
          );
        }
      }
    }
  });

  test('UTF-8 split at a chunk boundary before plain text', async () => {
    const data = encoder.encode('é' + 'x'.repeat(200000) + '世界' + 'y'.repeat(200000));
    // Chunks of odd sizes split the two- and three-byte characters.
    for (const size of [1, 3, 4097, 65537]) {
      if (size < 4)
        await compare({ cols: 30, rows: 4, scrollback: 10 }, chunked(data.subarray(0, 3000), size));
      else await compare({ cols: 30, rows: 4, scrollback: 10 }, chunked(data, size));
    }
  });

  test('random output: every snapshot along the way matches', async () => {
    const pieces = [
      'plain words ',
      '\r\n',
      '\n',
      '\r',
      'x'.repeat(97),
      '\x1b[31m',
      '\x1b[0m',
      '\x1b[2J\x1b[H',
      '\x1b[5;3H',
      '\x1b[A',
      '\x1b[K',
      '\x1b[?7l',
      '\x1b[?7h',
      '\x1b[3;8r',
      '\x1b[r',
      '\x1b[?1049h',
      '\x1b[?1049l',
      '\x1b[4h',
      '\x1b[4l',
      '\t',
      '\b',
      'héllo ',
      '世界',
      '\x1b]0;title\x07',
      '\x1b7',
      '\x1b8',
      '\x1b(0lqk\x1b(B',
    ];
    for (let seed = 1; seed <= 12; seed += 1) {
      const next = random(seed);
      const parts: string[] = [];
      let length = 0;
      while (length < 400000) {
        // Mostly long plain stretches, now and then something else.
        const piece =
          next() < 0.3
            ? (pieces[Math.floor(next() * pieces.length)] ?? '')
            : `${'abcdefghij'.slice(0, Math.floor(next() * 10))}${'m'.repeat(Math.floor(next() * 200))}\r\n`.repeat(
                1 + Math.floor(next() * 400),
              );
        parts.push(piece);
        length += piece.length;
      }
      const data = encoder.encode(parts.join(''));
      const size = 1 + Math.floor(next() * 70000);
      await compare(
        { cols: 20 + Math.floor(next() * 100), rows: 3 + Math.floor(next() * 30), scrollback: 200 },
        chunked(data, size),
        7,
      ).catch((error: unknown) => {
        throw new Error(`seed ${seed}, chunks of ${size}: ${String(error)}`);
      });
    }
  });
});
