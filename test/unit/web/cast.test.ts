// The web app's reading of a shellgate recording for asciinema-player (web/src/recordings/cast.ts):
// absolute times, stderr in colour, pipe line feeds as new lines, markers, and what it leaves out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCast } from '../../../web/src/recordings/cast.ts';

const header = (mode: 'pipe' | 'pty'): string =>
  JSON.stringify({ version: 3, term: { cols: 100, rows: 30 }, shellgate: { mode } });

test('a pipe recording: times add up, stderr is red, line feeds start new lines, markers are kept', () => {
  const cast = parseCast(
    [
      header('pipe'),
      '[0.500000, "o", "out\\n"]',
      '[0.250000, "e", "err\\n"]',
      '[1.000000, "m", "signal SIGINT by alice"]',
      '[0.000100, "z", "a code nobody knows"]',
      '[0.100000, "x", "130"]',
      '',
    ].join('\n'),
  );
  assert.equal(cast.cols, 100);
  assert.equal(cast.rows, 30);
  assert.deepEqual(cast.events, [
    [500, 'o', 'out\r\n'],
    [750, 'o', '\x1b[31merr\r\n\x1b[39m'],
    [1750, 'm', 'signal SIGINT by alice'],
    [1850.1, 'o', ''],
  ]);
  assert.deepEqual(cast.markers, [{ time: 1.75, label: 'signal SIGINT by alice' }]);
  assert.equal(cast.exit, '130');
  assert.equal(cast.duration, 1.8501);
});

test('a PTY recording keeps its bytes and resizes; a last line cut by a crash is skipped', () => {
  const cast = parseCast(
    [header('pty'), '[0.1, "o", "a\\r\\nb\\n"]', '[0.1, "r", "120x40"]', '[0.1, "o", "cut sh'].join('\n'),
  );
  assert.deepEqual(cast.events, [
    [100, 'o', 'a\r\nb\n'],
    [200, 'r', '120x40'],
  ]);
  assert.equal(cast.exit, null);
});

test('a file that is not asciicast v3 is refused with a sentence', () => {
  assert.throws(() => parseCast('{"version":2,"width":80,"height":24}\n'), /not an asciicast v3 recording/);
  assert.throws(() => parseCast('hello'), /not an asciicast v3 recording/);
});
