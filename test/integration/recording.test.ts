// Recording against a real gateway, real processes and real files: what a recorded session leaves
// is an asciicast v3 file that replays its exact output (stdout and stderr apart) and its exit; the
// API lists, downloads and deletes by the sessions' visibility rule; the size limit and retention
// hold; a SIGKILLed gateway leaves a playable file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { auditRecords } from '../helpers/audit.js';
import { eventually } from '../helpers/eventually.js';
import type { Gateway } from '../helpers/gateway.js';
import { useGateways } from '../helpers/fixture.js';
import { api, get } from '../helpers/http.js';
import { createSession } from '../helpers/sessions.js';
import { connect } from '../helpers/ws-client.js';
import { parseCast, readCast, streamText } from '../unit/recording/cast.ts';

const TOKENS = {
  alice: 'alice-token-0123456789',
  bob: 'bob-token-0123456789ab',
  root: 'root-token-0123456789a',
  watcher: 'watcher-token-01234567',
};
const tokens = [
  { name: 'alice', token: TOKENS.alice, role: 'operator' },
  { name: 'bob', token: TOKENS.bob, role: 'operator' },
  { name: 'root', token: TOKENS.root, role: 'operator', scope: 'all' },
  { name: 'watcher', token: TOKENS.watcher, role: 'viewer' },
];

const gateways = useGateways();
const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function recordingDir(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'shellgate-recordings-'));
  dirs.push(parent);
  return join(parent, 'casts'); // created by the gateway
}

function startRecording(dir: string, recording: Record<string, unknown> = {}): Promise<Gateway> {
  return gateways.start({ config: { tokens, recording: { enabled: true, dir, ...recording } } });
}

interface Listed {
  id: string;
  session: string;
  profile: string;
  owner: string;
  startedAt: string;
  durationMs: number;
  bytes: number;
  active: boolean;
}

async function listRecordings(gateway: Gateway, token: string): Promise<Listed[]> {
  const response = await api(gateway.url, 'GET', '/api/recordings', { token });
  assert.equal(response.status, 200, response.text);
  const list = get(response.body, 'recordings');
  assert.ok(Array.isArray(list));
  return list.map((item: unknown) => {
    const field = (key: string): unknown => get(item, key);
    const [id, session, profile, owner, startedAt] = ['id', 'session', 'profile', 'owner', 'startedAt'].map(
      (key) => String(field(key)),
    );
    return {
      id: id ?? '',
      session: session ?? '',
      profile: profile ?? '',
      owner: owner ?? '',
      startedAt: startedAt ?? '',
      durationMs: Number(field('durationMs')),
      bytes: Number(field('bytes')),
      active: field('active') === true,
    };
  });
}

/** Polls until `probe` returns something; 15 s, as files close and retention runs on the gateway's time. */
function recordingSettles<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  return eventually(what, probe, 15_000);
}

/** The session's finished recording, once its file is closed. */
function finishedRecording(gateway: Gateway, sessionId: string, token = TOKENS.alice): Promise<Listed> {
  return recordingSettles(`the recording of ${sessionId} to be closed`, async () =>
    (await listRecordings(gateway, token)).find((item) => item.session === sessionId && !item.active),
  );
}

describe('recording', () => {
  test('a pipe session is recorded as asciicast v3 with its exact stdout, stderr and exit status', async () => {
    const dir = await recordingDir();
    const gateway = await startRecording(dir);
    // Multi-byte characters split across writes (octal escapes), stdout and stderr in turn.
    const script =
      "printf 'out \\342\\202'; sleep 0.1; printf '\\254 one\\n'; sleep 0.2; " +
      "printf 'err \\360\\237' >&2; sleep 0.1; printf '\\230\\200\\n' >&2; sleep 0.2; printf 'out two\\n'; exit 3";
    const session = await createSession(gateway, 'sh', [script], TOKENS.alice);
    const listed = await finishedRecording(gateway, session.id);
    assert.equal(listed.owner, 'alice');
    assert.equal(listed.profile, 'sh');
    assert.ok(listed.durationMs >= 500 && listed.durationMs < 60_000, `duration ${listed.durationMs}`);

    const download = await api(gateway.url, 'GET', `/api/recordings/${listed.id}`, { token: TOKENS.alice });
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/x-asciicast');
    assert.equal(download.headers.get('content-disposition'), `attachment; filename="${listed.id}.cast"`);
    assert.equal(Buffer.byteLength(download.text), listed.bytes);
    const cast = parseCast(download.text);
    assert.equal(cast.header.version, 3);
    assert.deepEqual(cast.header.term, { cols: 80, rows: 24 });
    assert.deepEqual(get(cast.header, 'shellgate', 'session'), session.id);
    assert.deepEqual(get(cast.header, 'shellgate', 'owner'), 'alice');
    assert.equal(streamText(cast, 'o'), 'out € one\nout two\n');
    assert.equal(streamText(cast, 'e'), 'err 😀\n');
    // In order: stdout, then stderr, then stdout again; the exit last.
    const order = cast.events.map((event) => event.code).filter((code, i, all) => code !== all[i - 1]);
    assert.deepEqual(order, ['o', 'e', 'o', 'x']);
    assert.equal(cast.events.at(-1)?.data, '3');

    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, `${listed.id}.cast`))).mode & 0o777, 0o600);
  });

  test('a large output is recorded exactly, though its reads come in a reused buffer', async () => {
    const gateway = await startRecording(await recordingDir());
    // ~2 MB of distinct lines (below the 16 MiB queue bound: nothing may be dropped); while one
    // write to the file is in flight, the next chunks wait in the recorder's queue.
    const script = 'seq 1 300000';
    const session = await createSession(gateway, 'sh', [script], TOKENS.alice);
    // More than a flow-control window: the child runs to its end only with a client reading.
    const client = await connect(gateway.url, session.id, { token: TOKENS.alice, offset: 0 });
    try {
      await client.nextMessage('exit', 30_000);
    } finally {
      await client.close();
    }
    const listed = await finishedRecording(gateway, session.id);
    const download = await api(gateway.url, 'GET', `/api/recordings/${listed.id}`, { token: TOKENS.alice });
    assert.equal(download.status, 200);
    const cast = parseCast(download.text);
    assert.equal(
      streamText(cast, 'o'),
      execFileSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 16 << 20 }),
    );
  });

  test('signals and terminate stages are markers, and a killed process exits 128+9', async () => {
    const gateway = await startRecording(await recordingDir());
    const session = await createSession(
      gateway,
      'sh',
      ['trap "" TERM USR1; printf ready; while :; do sleep 0.05; done'],
      TOKENS.alice,
    );
    // A signal sent before sh has run its trap would kill it, leaving nothing to terminate.
    const watcher = await connect(gateway.url, session.id, { token: TOKENS.alice });
    await watcher.waitForOutput((text) => text.includes('ready'));
    await watcher.close();
    const signal = await api(gateway.url, 'POST', `/api/sessions/${session.id}/signal`, {
      token: TOKENS.alice,
      body: { signal: 'SIGUSR1' },
    });
    assert.equal(signal.status, 200, signal.text);
    const ended = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
      token: TOKENS.alice,
      body: { gracePeriodMs: 200 },
    });
    assert.equal(ended.status, 200, ended.text);
    const listed = await finishedRecording(gateway, session.id);
    const cast = parseCast(
      (await api(gateway.url, 'GET', `/api/recordings/${listed.id}`, { token: TOKENS.alice })).text,
    );
    assert.deepEqual(
      cast.events.filter((event) => event.code === 'm').map((event) => event.data),
      ['signal SIGUSR1 by alice', 'terminate: stdin', 'terminate: SIGTERM', 'terminate: SIGKILL'],
    );
    assert.equal(streamText(cast, 'o'), 'ready');
    assert.equal(cast.events.at(-1)?.code, 'x');
    assert.equal(cast.events.at(-1)?.data, '137');
  });

  test('who may list, download and delete: the sessions rule, and deletion for operators with scope "all"', async () => {
    const gateway = await startRecording(await recordingDir());
    const session = await createSession(gateway, 'sh', ['printf mine'], TOKENS.alice);
    const { id } = await finishedRecording(gateway, session.id);
    const seenBy = async (token: string): Promise<boolean> =>
      (await listRecordings(gateway, token)).some((item) => item.id === id);
    assert.equal(await seenBy(TOKENS.bob), false);
    assert.equal(await seenBy(TOKENS.watcher), true);
    assert.equal(await seenBy(TOKENS.root), true);
    const path = `/api/recordings/${id}`;
    assert.equal((await api(gateway.url, 'GET', path, { token: TOKENS.bob })).status, 404);
    assert.equal((await api(gateway.url, 'GET', path, { token: TOKENS.watcher })).status, 200);
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', `${id}x`, 'a'.repeat(24).replace('a', '.')]) {
      const response = await api(gateway.url, 'GET', `/api/recordings/${bad}`, { token: TOKENS.root });
      assert.equal(response.status, 404, bad);
    }
    assert.equal(
      get((await api(gateway.url, 'GET', '/api/recordings')).body, 'error', 'code'),
      'UNAUTHORIZED',
    );
    for (const token of [TOKENS.alice, TOKENS.watcher]) {
      const refused = await api(gateway.url, 'DELETE', path, { token });
      assert.equal(refused.status, 403);
      assert.equal(get(refused.body, 'error', 'code'), 'FORBIDDEN');
    }
    assert.equal((await api(gateway.url, 'DELETE', path, { token: TOKENS.root })).status, 204);
    assert.equal(await seenBy(TOKENS.root), false);
    assert.equal((await api(gateway.url, 'GET', path, { token: TOKENS.root })).status, 404);
    assert.ok(auditRecords(gateway, 'recording-download').some((record) => record.who === 'watcher'));
    assert.ok(auditRecords(gateway, 'recording-delete').some((record) => record.who === 'root'));
  });

  test('each file stays within its size limit, and retention keeps the total within bounds', async () => {
    const dir = await recordingDir();
    const gateway = await startRecording(dir, { maxBytesPerRecording: 4096, maxTotalBytes: 10_000 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      // About 20 KB of output: well past the limit.
      const session = await createSession(gateway, 'sh', ['seq 1 4000; exit 0'], TOKENS.alice);
      ids.push((await finishedRecording(gateway, session.id)).id);
    }
    const left = await recordingSettles('retention to remove the oldest', async () => {
      const names = await readdir(dir);
      return names.length <= 2 ? names : undefined;
    });
    // The newest two are kept (3 × ~4 KiB would pass 10 000 bytes).
    assert.deepEqual(
      left.sort(),
      ids
        .slice(2)
        .map((id) => `${id}.cast`)
        .sort(),
    );
    for (const name of left) {
      const size = (await stat(join(dir, name))).size;
      // Filled up to the limit: the event that did not fit went in as far as it fitted.
      assert.ok(size <= 4096 && size > 3500, `${name}: ${size} bytes`);
      const cast = await readCast(join(dir, name));
      assert.deepEqual(
        cast.events.slice(-2).map((event) => [event.code, event.data]),
        [
          ['m', 'recording stopped: limit 4096 bytes reached'],
          ['x', '0'],
        ],
      );
      assert.ok(streamText(cast, 'o').startsWith('1\n2\n3\n'));
    }
  });

  test('retention at start-up removes recordings past their age and leaves other files alone', async () => {
    const dir = await recordingDir();
    await mkdir(dir, { recursive: true });
    const old = join(dir, `${'A'.repeat(24)}.cast`);
    const header = { version: 3, term: { cols: 80, rows: 24 } };
    await writeFile(old, `${JSON.stringify(header)}\n[0.5, "o", "old"]\n`);
    const longAgo = new Date(Date.now() - 10 * 24 * 60 * 60 * 1000);
    await utimes(old, longAgo, longAgo);
    await writeFile(join(dir, 'notes.txt'), 'not a recording\n');
    await startRecording(dir, { maxAgeDays: 1 });
    const names = await readdir(dir);
    assert.deepEqual(names.sort(), ['notes.txt']);
  });
});

describe('recording through a crash', () => {
  test('a SIGKILLed gateway leaves a file that plays up to the crash, and the next gateway lists it', async () => {
    const dir = await recordingDir();
    const first = await startRecording(dir);
    const session = await createSession(
      first,
      'sh',
      ['i=0; while [ $i -lt 400 ]; do echo "line $i"; i=$((i+1)); sleep 0.01; done; sleep 60'],
      TOKENS.alice,
    );
    const file = await recordingSettles('output in the recording', async () => {
      const names = await readdir(dir);
      const name = names.find((item) => item.endsWith('.cast'));
      if (name === undefined) return undefined;
      // The file is created before its header line is written: until then there is nothing to read.
      const text = await readFile(join(dir, name), 'utf8');
      if (!text.includes('\n')) return undefined;
      return streamText(parseCast(text), 'o').includes('line 20\n') ? join(dir, name) : undefined;
    });
    process.kill(first.pid, 'SIGKILL');
    // The gateway cannot end its session any more: the test does.
    assert.ok(session.pid !== null && session.pid > 0);
    try {
      process.kill(-session.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await first.stop();
    const cast = await readCast(file);
    assert.equal(cast.header.version, 3);
    const expected = Array.from({ length: 400 }, (_, i) => `line ${i}\n`).join('');
    const played = streamText(cast, 'o');
    assert.ok(played.length >= 'line 0\n'.length * 20 && expected.startsWith(played), played.slice(-40));
    assert.notEqual(cast.events.at(-1)?.code, 'x', 'no exit was recorded: the gateway died first');

    const second = await startRecording(dir);
    const listed = (await listRecordings(second, TOKENS.alice)).find((item) => item.session === session.id);
    assert.ok(listed !== undefined);
    assert.equal(listed.active, false);
    const download = await api(second.url, 'GET', `/api/recordings/${listed.id}`, { token: TOKENS.alice });
    assert.equal(download.status, 200);
    assert.ok(expected.startsWith(streamText(parseCast(download.text), 'o')));
  });
});
