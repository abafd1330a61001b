// Output relay and input over a real WebSocket: the bc conversation, exact bytes per stream,
// `exit` after the last byte, stdin in both encodings, close-stdin.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway } from '../helpers/gateway.js';
import { useGateway } from '../helpers/fixture.js';
import { api, errorCode, getString } from '../helpers/http.js';
import { createSession, getSession, sh } from '../helpers/sessions.js';
import { connect } from '../helpers/ws-client.js';

const gateway = useGateway();

describe('relay', () => {
  test('the bc conversation: input in, answers out, exit after close-stdin', async () => {
    const session = await createSession(gateway, 'bc');
    assert.equal(session.mode, 'pipe');
    assert.equal(session.state, 'running');
    assert.deepEqual(session.argv, ['bc', '-q']);
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const hello = client.messages[0];
    assert.equal(hello?.type, 'hello');
    if (hello?.type === 'hello') {
      assert.equal(hello.protocol, 1);
      assert.equal(hello.role, 'control');
      assert.equal(hello.offset, 0);
      assert.equal(hello.snapshot, false);
      assert.equal(hello.session.id, session.id);
    }
    client.send({ type: 'input', data: '2+3\n' });
    await client.waitForOutput((text) => text === '5\n');
    client.sendInput('6*7\n');
    await client.waitForOutput((text) => text === '5\n42\n');
    client.send({ type: 'input', data: '1/0\n' });
    await client.waitFor('a division-by-zero complaint on stderr', () =>
      /divide by zero/i.test(client.text('stderr')) ? true : undefined,
    );
    client.send({ type: 'close-stdin' });
    const exit = await client.nextMessage('exit');
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.equal(client.text('stdout'), '5\n42\n');
    const info = await getSession(gateway, session.id);
    assert.equal(info.state, 'exited');
    assert.deepEqual(info.exit, { code: 0, signal: null });
    assert.equal(info.outputBytes, client.output().length);
    await client.close();
  });

  test('stdout and stderr arrive byte-exact on their own streams, binary and split UTF-8 included', async () => {
    // printf with octal escapes: all 256 byte values on stdout, a 4-byte UTF-8 character split
    // across two writes on stderr.
    const allBytes = Array.from({ length: 256 }, (_, i) => `\\0${i.toString(8).padStart(3, '0')}`).join('');
    const session = await sh(
      gateway,
      `printf '%b' '${allBytes}'; printf '\\360\\237' >&2; sleep 0.1; printf '\\230\\200' >&2; printf 'end'`,
    );
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const exit = await client.nextMessage('exit');
    assert.equal(exit.code, 0);
    const expected = Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      Buffer.from('end'),
    ]);
    assert.deepEqual(client.output('stdout'), expected);
    assert.equal(client.text('stderr'), '😀');
    assert.deepEqual(client.output('stderr'), Buffer.from([0xf0, 0x9f, 0x98, 0x80]));
  });

  test('exit comes after the last output byte, and hello/offsets add up', async () => {
    const session = await sh(gateway, 'head -c 300000 /dev/urandom; echo done >&2; exit 3');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const exit = await client.nextMessage('exit');
    assert.equal(exit.code, 3);
    const last = client.events.at(-1);
    assert.equal(last?.kind, 'message');
    const exitIndex = client.events.findIndex(
      (event) => event.kind === 'message' && event.message.type === 'exit',
    );
    const lastOutput = client.events.map((event) => event.kind).lastIndexOf('output');
    assert.ok(lastOutput < exitIndex, 'no output after exit');
    assert.equal(client.output('stdout').length, 300_000);
    assert.equal(client.text('stderr'), 'done\n');
    assert.equal(client.position, 300_005);
    assert.equal((await getSession(gateway, session.id)).outputBytes, 300_005);
  });

  test('with the default limits a flood is read up to 256 KiB at a time, each read one exact frame', async () => {
    const total = 4 * 1024 * 1024;
    const session = await sh(
      gateway,
      `f=$(mktemp) && head -c ${total} /dev/urandom >$f && sha256sum <$f >&2 && cat $f; rm -f $f`,
    );
    // Nobody attached yet: the child is paused once a window is read, its socket fills up, and the
    // first read after the client attaches takes what the socket holds (~200 KiB).
    let read = -1;
    for (let polls = 0; ; polls += 1) {
      await sleep(100);
      const now = (await getSession(gateway, session.id)).outputBytes;
      if (now === read && now > 0) break;
      assert.ok(polls < 100, `the child was never paused: ${now} bytes read`);
      read = now;
    }
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    assert.equal((await client.nextMessage('exit')).code, 0);
    const sizes = client.chunks.map((chunk) => chunk.data.length);
    const largest = Math.max(...sizes);
    assert.ok(largest > 64 * 1024 && largest <= 256 * 1024, `largest frame ${largest} bytes`);
    const output = client.output('stdout');
    assert.equal(output.length, total);
    const digest = createHash('sha256').update(output).digest('hex');
    assert.equal(client.text('stderr'), `${digest}  -\n`);
  });

  test('binary stdin round-trips through cat unchanged', async () => {
    const session = await createSession(gateway, 'cat');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    const data = randomBytes(200_000);
    for (let i = 0; i < data.length; i += 50_000) client.sendInput(data.subarray(i, i + 50_000));
    await client.waitForBytes(data.length);
    client.send({ type: 'close-stdin' });
    await client.nextMessage('exit');
    const digest = (buffer: Buffer): string => createHash('sha256').update(buffer).digest('hex');
    assert.equal(digest(client.output('stdout')), digest(data));
  });

  test('input after close-stdin is refused with STDIN_CLOSED and changes nothing', async () => {
    const session = await sh(gateway, 'cat; sleep 5');
    const client = await connect(gateway.url, session.id, { token: gateway.operatorToken });
    client.sendInput('before\n');
    await client.waitForOutput((text) => text === 'before\n');
    client.send({ type: 'close-stdin' });
    const update = await client.waitFor('stdinOpen false', () =>
      client.messages.find((message) => message.type === 'session' && !message.session.stdinOpen),
    );
    assert.ok(update);
    client.send({ type: 'input', data: 'after\n' });
    const error = await client.nextMessage('error');
    assert.equal(error.code, 'STDIN_CLOSED');
    assert.equal((await getSession(gateway, session.id)).state, 'running');
    const deleted = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
      token: gateway.operatorToken,
    });
    assert.equal(deleted.status, 200);
    assert.equal(client.text(), 'before\n');
  });

  test('spawn failures are errors that name the problem, and start nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shellgate-notexec-'));
    const notExecutable = join(dir, 'script');
    await writeFile(notExecutable, 'echo hi\n', { mode: 0o644 });
    const gw = await startGateway({
      config: {
        profiles: {
          missing: { argv: ['/nonexistent/shellgate-no-such-command'], mode: 'pipe' },
          notexec: { argv: [notExecutable], mode: 'pipe' },
          badcwd: { argv: ['cat'], mode: 'pipe', cwd: '/nonexistent/shellgate-dir' },
        },
      },
    });
    try {
      for (const [profile, pattern] of [
        ['missing', /not found/],
        ['notexec', /permission denied|EACCES/],
        ['badcwd', /working directory/],
      ] as const) {
        const response = await api(gw.url, 'POST', '/api/sessions', {
          token: gw.operatorToken,
          body: { profile },
        });
        assert.equal(response.status, 500, `${profile}: ${response.text}`);
        assert.equal(errorCode(response), 'SPAWN_FAILED');
        assert.match(getString(response.body, 'error', 'message'), pattern);
      }
      const list = await api(gw.url, 'GET', '/api/sessions', { token: gw.operatorToken });
      assert.deepEqual(list.body, { sessions: [] });
    } finally {
      await gw.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
