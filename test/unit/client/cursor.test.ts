import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamCursor } from '@shellgate/shared';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined): string | undefined =>
  data === undefined ? undefined : new TextDecoder().decode(data);

test('the first hello without an offset sets where the stream starts and is not a resume', () => {
  const cursor = new StreamCursor();
  assert.equal(cursor.resumeOffset, null);
  assert.equal(cursor.hello(5, false), false);
  assert.equal(cursor.resumeOffset, 5);
  assert.equal(text(cursor.output(bytes('abc'))), 'abc');
  assert.equal(cursor.resumeOffset, 8);
  assert.equal(cursor.position, 8);
});

test('a resume from behind drops the resent bytes frame by frame and keeps only the new tail', () => {
  const cursor = new StreamCursor();
  cursor.hello(0, false);
  cursor.output(bytes('0123456789'));
  // The gateway answers the reconnect (asking for 10) from 4: bytes 4..9 come again.
  assert.equal(cursor.hello(4, false), true);
  assert.equal(cursor.resumeOffset, 10, 'a hello from behind does not move the resume point back');
  assert.equal(cursor.output(bytes('45')), undefined, 'a frame wholly resent is dropped');
  assert.equal(text(cursor.output(bytes('6789AB'))), 'AB', 'a frame straddling the point keeps its tail');
  assert.equal(text(cursor.output(bytes('CD'))), 'CD');
  assert.equal(cursor.resumeOffset, 14);
});

test('a gap moves the cursor past the lost bytes so the next connection resumes after them', () => {
  const cursor = new StreamCursor(0);
  cursor.hello(0, false);
  cursor.output(bytes('ab'));
  cursor.gap(100);
  assert.equal(cursor.position, 100);
  assert.equal(cursor.resumeOffset, 100);
  assert.equal(text(cursor.output(bytes('xyz'))), 'xyz');
  assert.equal(cursor.resumeOffset, 103);
});

test('a hello ahead of the asked offset moves the cursor there (its gap follows)', () => {
  const cursor = new StreamCursor(10);
  assert.equal(cursor.hello(50, false), true);
  assert.equal(cursor.resumeOffset, 50);
});

test('a snapshot resets the cursor to its hello even when that is behind, and is not a resume', () => {
  const cursor = new StreamCursor();
  cursor.hello(0, false);
  cursor.output(bytes('0123456789'));
  assert.equal(cursor.hello(6, true), false);
  assert.equal(cursor.resumeOffset, 6);
  assert.equal(text(cursor.output(bytes('6789'))), '6789', 'after a snapshot nothing is dropped');
});
