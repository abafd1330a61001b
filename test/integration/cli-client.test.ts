// The operator client run as operators run it — a child process against a real gateway: exit
// statuses, stdout and stderr apart byte for byte, local EOF, forwarded signals, a dropped
// connection resumed without loss or repetition, a viewer that cannot write, refusals as 255.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameType, SUBPROTOCOL, encodeFrame, execUrl } from '@shellgate/shared';
import WebSocket from 'ws';
import { startCli, runCli, sha256 } from '../helpers/cli-client.ts';
import { useGateway } from '../helpers/fixture.ts';
import { get } from '../helpers/http.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

const gateway = useGateway();
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shellgate-cli-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const operator = (): { url: string; token: string } => ({ url: gateway.url, token: gateway.operatorToken });

/** One `shellgate: …` line and nothing else. */
function assertOneLine(stderr: Buffer, pattern: RegExp): void {
  const text = stderr.toString('utf8');
  assert.match(text, /^shellgate: [^\n]+\n$/, `expected one line, got ${JSON.stringify(text)}`);
  assert.match(text, pattern);
}

test('exec returns the remote exit status: 0, 7, and 128+9 for a SIGKILL', async () => {
  const zero = await runCli(['exec', 'sh', 'true'], { ...operator(), input: '' });
  assert.equal(zero.status, 0, zero.stderr.toString());
  const seven = await runCli(['exec', 'sh', 'exit 7'], { ...operator(), input: '' });
  assert.equal(seven.status, 7);
  const killed = await runCli(['exec', 'sh', 'kill -9 $$'], { ...operator(), input: '' });
  assert.equal(killed.status, 128 + 9);
  assert.equal(killed.stderr.length, 0);
});

test('exec keeps stdout and stderr apart, byte for byte, for a few MiB of random binary both ways', async () => {
  const input = randomBytes(3 * 1024 * 1024 + 17);
  const errors = randomBytes(2 * 1024 * 1024 + 5);
  const errorFile = join(dir, 'stderr.bin');
  await writeFile(errorFile, errors);
  const result = await runCli(['exec', 'sh', `cat; cat '${errorFile}' >&2`], { ...operator(), input });
  assert.equal(result.status, 0, result.stderr.subarray(-300).toString());
  assert.equal(result.stdout.length, input.length);
  assert.equal(sha256(result.stdout), sha256(input));
  assert.equal(result.stderr.length, errors.length);
  assert.equal(sha256(result.stderr), sha256(errors));
});

test('EOF on local stdin closes the remote stdin, and -n closes it at once', async () => {
  const counted = await runCli(['exec', 'sh', 'wc -c'], { ...operator(), input: 'abc' });
  assert.equal(counted.stdout.toString().trim(), '3');
  // stdin is left open by the test: only -n lets `cat` finish.
  const run = startCli(['exec', '-n', 'sh', 'cat; echo done'], operator());
  const result = await run.done;
  run.child.stdin.end();
  assert.equal(result.status, 0);
  assert.equal(result.stdout.toString(), 'done\n');
});

test('a large input through a remote program that reads slowly arrives whole, however often the gateway refuses it', async () => {
  // 5 MiB into a process that reads nothing for a second: the gateway's 1 MiB input queue fills
  // and refuses, and the client must send the refused frames again, in order.
  const input = randomBytes(5 * 1024 * 1024);
  const result = await runCli(['exec', 'sh', 'sleep 1; sha256sum'], { ...operator(), input });
  assert.equal(result.status, 0, result.stderr.toString());
  assert.equal(result.stdout.toString().split(' ')[0], sha256(input));
  assert.equal(result.stderr.length, 0);
});

test('the gateway answers a refused input frame before the pong of a ping sent after it', async () => {
  // The ordering the client's input pacing relies on (docs/protocol.md, "Input and refusals").
  const ws = new WebSocket(execUrl(gateway.url, { profile: 'sh', args: ['sleep 30'] }), SUBPROTOCOL, {
    headers: { authorization: `Bearer ${gateway.operatorToken}` },
    perMessageDeflate: false,
  });
  try {
    const events: string[] = [];
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) events.push(String(get(JSON.parse(data.toString('utf8')) as unknown, 'type')));
    });
    ws.on('pong', () => events.push('pong'));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const chunk = encodeFrame(FrameType.Stdin, new Uint8Array(512 * 1024));
    let refused = false;
    // `sleep` reads nothing: the third 512 KiB frame cannot fit in the 1 MiB queue.
    for (let sent = 0; sent < 3 && !refused; sent += 1) {
      const before = events.length;
      ws.send(chunk);
      ws.ping(Buffer.from('barrier'));
      await new Promise<void>((resolve, reject) => {
        const bound = setTimeout(() => reject(new Error(`no pong: ${events.join(' ')}`)), 30_000);
        ws.once('pong', () => {
          clearTimeout(bound);
          resolve();
        });
      });
      const answers = events.slice(before).filter((type) => type !== 'session' && type !== 'hello');
      refused = answers[0] === 'error';
      assert.deepEqual(answers, refused ? ['error', 'pong'] : ['pong']);
    }
    assert.ok(refused, `the third frame was refused: ${events.join(' ')}`);
  } finally {
    ws.terminate();
  }
});

test('SIGTERM is forwarded to the remote process, whose exit status becomes the local one', async () => {
  const run = startCli(
    ['exec', '-n', 'sh', 'trap "echo got TERM; exit 3" TERM; echo ready; sleep 30 & wait'],
    operator(),
  );
  await run.waitFor('ready');
  run.child.kill('SIGTERM');
  const result = await run.done;
  assert.equal(result.status, 3);
  assert.equal(result.stdout.toString(), 'ready\ngot TERM\n');
});

test('SIGINT is forwarded, and a second one within a second asks the gateway to terminate', async () => {
  const run = startCli(
    ['exec', '-n', 'sh', 'trap "echo got INT" INT; echo ready; while :; do sleep 0.1; done'],
    operator(),
  );
  await run.waitFor('ready');
  run.child.kill('SIGINT');
  await run.waitFor('got INT');
  run.child.kill('SIGINT');
  const result = await run.done;
  // The termination closes stdin and then sends SIGTERM (a pipe session): 128+15.
  assert.equal(result.status, 128 + 15, result.stderr.toString());
  assert.match(result.stderr.toString(), /asking the gateway to terminate/);
});

test('a connection cut mid-stream is resumed: identical output, nothing repeated', async () => {
  const proxy = await startTcpProxy(gateway.port);
  try {
    const data = randomBytes(4 * 1024 * 1024);
    const file = join(dir, 'cut.bin');
    await writeFile(file, data);
    const run = startCli(['exec', '-n', 'sh', `cat '${file}'`], {
      url: proxy.url,
      token: gateway.operatorToken,
    });
    // Cut twice while the output flows (flow control holds the rest at the gateway meanwhile).
    for (const threshold of [256 * 1024, 2 * 1024 * 1024]) {
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (run.stdout().length < threshold && run.child.exitCode === null) return;
          run.child.stdout.off('data', check);
          resolve();
        };
        run.child.stdout.on('data', check);
        check();
      });
      assert.ok(proxy.cut() > 0, 'the output was still flowing when the link was cut');
    }
    const result = await run.done;
    assert.equal(result.status, 0, result.stderr.toString());
    assert.equal(result.stdout.length, data.length);
    assert.equal(sha256(result.stdout), sha256(data));
  } finally {
    await proxy.close();
  }
});

async function createSession(profile: string, args?: string[]): Promise<string> {
  return (await gateway.createSession({ profile, ...(args === undefined ? {} : { args }) })).id;
}

test('a viewer attach watches but cannot write; the operator attach writes and both see the exit', async () => {
  const id = await createSession('cat');
  const viewer = startCli(['attach', '--view', id], { url: gateway.url, token: gateway.viewerToken });
  viewer.child.stdin.write('from-viewer\n');
  const control = await runCli(['attach', id], { ...operator(), input: 'from-operator\n' });
  const watched = await viewer.done;
  viewer.child.stdin.end();
  assert.equal(control.status, 0, control.stderr.toString());
  assert.equal(control.stdout.toString(), 'from-operator\n');
  assert.equal(watched.status, 0, watched.stderr.toString());
  assert.equal(watched.stdout.toString(), 'from-operator\n');
});

test('ls lists sessions, logs prints what the replay buffer holds, kill terminates', async () => {
  const done = await runCli(['exec', 'sh', 'printf "line 1\\nline 2\\n"'], { ...operator(), input: '' });
  assert.equal(done.status, 0);
  const running = await createSession('sh', ['echo started; sleep 30']);
  const listed = await runCli(['ls', '--json'], operator());
  const sessions = get(JSON.parse(listed.stdout.toString()) as unknown, 'sessions');
  assert.ok(Array.isArray(sessions));
  const ids = sessions.map((session: unknown) => get(session, 'id'));
  assert.ok(ids.includes(running));
  const table = await runCli(['ls'], operator());
  assert.match(
    table.stdout.toString(),
    new RegExp(`^ID +PROFILE[^\\n]*\\n(.*\\n)*${running} +sh +pipe +running`),
  );

  const follow = startCli(['logs', '-f', running], operator());
  await follow.waitFor('started');
  const logs = await runCli(['logs', running], operator());
  assert.equal(logs.status, 0, logs.stderr.toString());
  assert.equal(logs.stdout.toString(), 'started\n');

  const killed = await runCli(['kill', '--grace', '100', running], operator());
  assert.equal(killed.status, 0, killed.stderr.toString());
  const followed = await follow.done;
  assert.equal(followed.status, 0);
  assert.equal(followed.stdout.toString(), 'started\n');

  // A second kill removes the exited session; a third finds nothing.
  const removed = await runCli(['kill', running], operator());
  assert.equal(removed.status, 0, removed.stderr.toString());
  const again = await runCli(['kill', running], operator());
  assert.equal(again.status, 255);
  assertOneLine(again.stderr, /SESSION_NOT_FOUND/);
});

test('refusals and client failures exit with 255 and one line naming the cause', async () => {
  const badToken = await runCli(['exec', 'sh', 'true'], {
    url: gateway.url,
    token: 'not-a-token',
    input: '',
  });
  assert.equal(badToken.status, 255);
  assertOneLine(badToken.stderr, /refused.*UNAUTHORIZED/);

  const viewerExec = await runCli(['exec', 'sh', 'true'], {
    url: gateway.url,
    token: gateway.viewerToken,
    input: '',
  });
  assert.equal(viewerExec.status, 255);
  assertOneLine(viewerExec.stderr, /viewer.*FORBIDDEN/);

  const noProfile = await runCli(['exec', 'nosuch'], { ...operator(), input: '' });
  assert.equal(noProfile.status, 255);
  assertOneLine(noProfile.stderr, /PROFILE_NOT_FOUND/);

  const noToken = await runCli(['ls'], { url: gateway.url });
  assert.equal(noToken.status, 255);
  assertOneLine(noToken.stderr, /no token: set SHELLGATE_TOKEN or pass --token-file/);

  const plain = await runCli(['ls', '--url', 'http://192.0.2.1:8022'], operator());
  assert.equal(plain.status, 255);
  assertOneLine(plain.stderr, /refusing to send the token over plain http to 192\.0\.2\.1:8022/);

  const fleet = await runCli(['exec', '--node', 'n1', 'sh', 'true'], { ...operator(), input: '' });
  assert.equal(fleet.status, 255);
  assertOneLine(fleet.stderr, /node selection needs a fleet gateway/);

  const unreachable = await runCli(['ls', '--url', 'http://127.0.0.1:1'], operator());
  assert.equal(unreachable.status, 255);
  assertOneLine(unreachable.stderr, /cannot reach the gateway at http:\/\/127\.0\.0\.1:1/);
});

test('the gateway options may come before the command, as `docker -H` takes its own', async () => {
  // The environment names a gateway that is not there: the options must win, before or after.
  const elsewhere = { url: 'http://127.0.0.1:1', token: gateway.operatorToken, input: '' };
  const before = await runCli(['--url', gateway.url, 'exec', 'sh', 'echo "$0"', 'arg'], elsewhere);
  assert.equal(before.status, 0, before.stderr.toString());
  assert.equal(before.stdout.toString(), 'arg\n');
  const joined = await runCli([`--url=${gateway.url}`, 'ls', '--json'], elsewhere);
  assert.equal(joined.status, 0, joined.stderr.toString());
  assert.ok(Array.isArray(get(JSON.parse(joined.stdout.toString()) as unknown, 'sessions')));
  const plain = await runCli(['--url', 'http://192.0.2.1:8022', 'ls'], elsewhere);
  assert.equal(plain.status, 255);
  assertOneLine(plain.stderr, /refusing to send the token over plain http to 192\.0\.2\.1:8022/);
});

test('the token can come from --token-file, never from the command line', async () => {
  const file = join(dir, 'token');
  await writeFile(file, `${gateway.operatorToken}\n`, { mode: 0o600 });
  const result = await runCli(['exec', '--token-file', file, 'sh', 'echo ok'], {
    url: gateway.url,
    input: '',
  });
  assert.equal(result.status, 0, result.stderr.toString());
  assert.equal(result.stdout.toString(), 'ok\n');
  const flag = await runCli(['ls', '--token', gateway.operatorToken], operator());
  assert.equal(flag.status, 255);
  assert.match(flag.stderr.toString(), /^shellgate: Unknown option '--token'/);
});
