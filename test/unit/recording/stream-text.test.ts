// The recorder's text of a stream: ASCII chunks skip the UTF-8 decoder, and what comes out, chunk by
// chunk, is exactly what one streaming decoder fed every chunk gives (the path every chunk took
// before): a character split across chunks stays whole, invalid bytes become U+FFFD, a BOM is
// dropped only at the stream's start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  appendAsciiJson,
  asciiJsonBound,
  asciiText,
  simdEscaper,
} from '../../../server/src/recording/ascii-json.ts';
import { WriteBatch } from '../../../server/src/recording/batch.ts';
import { StreamText } from '../../../server/src/recording/stream-text.ts';

/** Each chunk's text the recorder's way, and the stream's end. */
function fast(chunks: readonly Uint8Array[]): { texts: string[]; asciiChunks: number } {
  const stream = new StreamText();
  let asciiChunks = 0;
  const texts = chunks.map((chunk) => {
    if (!stream.ascii(chunk)) return stream.decode(chunk);
    asciiChunks += 1;
    return asciiText(chunk);
  });
  texts.push(stream.end());
  return { texts, asciiChunks };
}

/** The same through one streaming decoder: the reference. */
function reference(chunks: readonly Uint8Array[]): string[] {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const texts = chunks.map((chunk) => decoder.decode(chunk, { stream: true }));
  texts.push(decoder.decode());
  return texts;
}

function assertSame(chunks: readonly Uint8Array[], expectedAscii?: number): void {
  const { texts, asciiChunks } = fast(chunks);
  assert.deepEqual(texts, reference(chunks));
  if (expectedAscii !== undefined) assert.equal(asciiChunks, expectedAscii, 'chunks taken as ASCII');
}

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const euro = bytes('€'); // e2 82 ac
const smile = bytes('😀'); // f0 9f 98 80

test('ASCII chunks are their own text, with or without a decoder used before', () => {
  assertSame([bytes('hello\n'), bytes('world\r\n')], 2);
  // After a chunk ending in a byte of a character, one more goes through the decoder (it might hold
  // that character's first bytes); a chunk ending in ASCII leaves nothing in it.
  assertSame([bytes('caf\u00e9 '), bytes('ok\n'), bytes('\u00e9'), bytes('then ascii'), bytes('more')], 2);
});

test('a character split across chunks stays whole; the ASCII after it is not taken as is until it is complete', () => {
  // Cut in a multi-byte character, then ASCII: the first ASCII chunk goes through the decoder.
  assertSame(
    [Buffer.concat([bytes('ab'), euro.subarray(0, 2)]), euro.subarray(2), bytes('next'), bytes('n')],
    1,
  );
  assertSame([smile.subarray(0, 1), smile.subarray(1, 3), smile.subarray(3), bytes('x'), bytes('y')], 1);
  // Never completed: U+FFFD, then the ASCII as it came.
  assertSame([Buffer.concat([bytes('a'), euro.subarray(0, 2)]), bytes('plain'), bytes('more')], 1);
  assertSame([euro.subarray(0, 1)]);
});

test('an ASCII chunk followed by one starting in the middle of a character', () => {
  assertSame([bytes('plain ascii'), euro.subarray(1), bytes('after')], 1);
  assertSame([bytes('plain ascii'), smile.subarray(2), Buffer.concat([bytes('x'), smile])], 1);
  assertSame([bytes('x'), Buffer.from([0xff, 0x41]), bytes('y'), Buffer.from([0xc3])], 2);
});

test('a BOM is dropped at the stream start only, whichever path came first', () => {
  const bom = bytes('\uFEFF');
  assertSame([Buffer.concat([bom, bytes('a')]), bytes('b')]);
  assertSame([bytes('a'), Buffer.concat([bom, bytes('b')])], 1);
  assertSame([bytes(''), Buffer.concat([bom, bytes('b')])]);
});

test('random chunkings of mixed text and invalid bytes give the decoder’s text, chunk by chunk', () => {
  const text = Buffer.concat([
    bytes('ascii line\n\x1b[1mbold\x1b[0m "quoted" \\ tab\t\r\n'),
    euro,
    smile,
    bytes('caf\u00e9 \u4e2d\u6587 '),
    Buffer.from([0xff, 0xc3, 0x41, 0xe2, 0x82, 0x0a, 0xf0, 0x9f]),
    bytes('the end\n'),
  ]);
  let seed = 12345;
  const random = (below: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % below;
  };
  for (let round = 0; round < 2000; round += 1) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < text.length;) {
      const length = Math.min(text.length - at, random(12));
      chunks.push(text.subarray(at, at + length));
      at += length;
    }
    assertSame(chunks);
  }
});

/**
 * appendAsciiJson's literal of `chunk`, appended after other bytes; its size within the bound. The
 * JSON.stringify path (where WebAssembly SIMD is missing) must give the same.
 */
function asciiJson(chunk: Uint8Array): string {
  const [json, fallback] = [undefined, null].map((using) => {
    const batch = new WriteBatch(16);
    batch.append('[');
    appendAsciiJson(chunk, batch, using);
    return Buffer.from(batch.bytes()).toString('latin1', 1);
  });
  assert.ok(json !== undefined && json.length <= asciiJsonBound(chunk.byteLength));
  assert.equal(fallback, json);
  return json;
}

test('the JSON of ASCII bytes is JSON.stringify’s of their text, every byte and escape alike', () => {
  assert.ok(simdEscaper, 'the WebAssembly escaper loads (else this tests the fallback only)');
  const every = Buffer.from(Array.from({ length: 128 }, (_, byte) => byte));
  assert.equal(asciiJson(every), JSON.stringify(every.toString('latin1')));
  assert.equal(asciiJson(Buffer.alloc(0)), '""');
  for (let byte = 0; byte < 128; byte += 1) {
    const one = Buffer.from([byte]);
    assert.equal(asciiJson(one), JSON.stringify(String.fromCharCode(byte)), `byte ${byte}`);
    // At each place of a 16-byte vector, and in the short tail after the last whole one.
    for (let place = 0; place < 40; place += 1) {
      const text = `${'a'.repeat(place)}${String.fromCharCode(byte)}${'b'.repeat(39 - place)}`;
      assert.equal(asciiJson(Buffer.from(text, 'latin1')), JSON.stringify(text), `byte ${byte} at ${place}`);
    }
  }
  const sample = '\u0000\u001b[31m"x"\\y\tz\r\n\u007f\u001f end';
  assert.equal(asciiJson(bytes(sample)), JSON.stringify(sample));
  // A view into a larger buffer, not a Buffer: only its own bytes.
  const backing = new Uint8Array(bytes(`xx${sample}yy`));
  assert.equal(asciiJson(backing.subarray(2, 2 + sample.length)), JSON.stringify(sample));
});

test('the JSON of long ASCII chunks, of every density of escapes, past the escaper’s 64 KiB pieces', () => {
  let seed = 7;
  const random = (below: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % below;
  };
  for (const [length, escapeEvery] of [
    [200_000, 55],
    [65_536, 2],
    [65_537, 1],
    [140_000, 1_000_000],
    [70_000, 16],
  ] as const) {
    const chunk = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1)
      chunk[i] = random(escapeEvery) === 0 ? random(0x20) : 0x20 + random(0x60);
    assert.equal(asciiJson(chunk), JSON.stringify(chunk.toString('latin1')), `${length} bytes`);
  }
});
