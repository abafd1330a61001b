// The recording section: off by default, a directory required once anything records, limits
// checked with messages that name the field.
import assert from 'node:assert/strict';
import { isAbsolute } from 'node:path';
import { test } from 'node:test';
import { ConfigError, resolveConfig } from '../../../server/src/config/load.ts';

const base = { tokens: [{ name: 'alice', token: 'a'.repeat(20), role: 'operator' }] };
const profiles = { cat: { argv: ['cat'] }, bc: { argv: ['bc', '-q'], record: true } };

test('recording is off by default, with explicit limits', async () => {
  const config = await resolveConfig(base);
  assert.equal(config.recording.enabled, false);
  assert.equal(config.recording.input, false);
  assert.equal(config.recording.dir, undefined);
  assert.equal(config.recording.maxBytesPerRecording, 64 * 1024 * 1024);
  assert.equal(config.recording.maxTotalBytes, 1024 * 1024 * 1024);
  assert.equal(config.recording.maxAgeDays, undefined);
});

test('a profile that records, or recording.enabled, needs recording.dir', async () => {
  await assert.rejects(
    resolveConfig({ ...base, profiles }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /recording\.dir: expected a directory for recordings: profile "bc" has "record": true/.test(
        error.message,
      ),
  );
  await assert.rejects(
    resolveConfig({ ...base, recording: { enabled: true } }),
    /recording\.dir: expected a directory for recordings: recording\.enabled is true/,
  );
  const config = await resolveConfig({ ...base, profiles, recording: { dir: 'casts' } });
  assert.ok(config.recording.dir !== undefined && isAbsolute(config.recording.dir));
  assert.equal(config.profiles.bc?.record, true);
});

test('limits that cannot work are refused with the field named', async () => {
  await assert.rejects(
    resolveConfig({ ...base, recording: { dir: '/tmp/x', maxBytesPerRecording: 100 } }),
    /recording\.maxBytesPerRecording: expected at least 4096/,
  );
  await assert.rejects(
    resolveConfig({ ...base, recording: { dir: '/tmp/x', maxBytesPerRecording: 8192, maxTotalBytes: 4096 } }),
    /recording\.maxTotalBytes: expected at least recording\.maxBytesPerRecording/,
  );
  await assert.rejects(resolveConfig({ ...base, recording: { maxAgeDays: 0 } }), /recording\.maxAgeDays/);
  await assert.rejects(resolveConfig({ ...base, recording: { dirs: '/tmp' } }), /recording/);
});
