// PTY sessions through the gateway: real shells on real pseudo-terminals, real WebSocket clients.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import xtermHeadless from '@xterm/headless';
import { sessionInfoSchema } from '@shellgate/shared';
import type { SessionInfo } from '@shellgate/shared';
import { useGateway } from '../helpers/fixture.ts';
import { api, get } from '../helpers/http.ts';
import { waitForGroupsGone } from '../helpers/leaks.ts';
import { startedGroups } from '../helpers/sessions.ts';
import { connect } from '../helpers/ws-client.ts';
import type { TestClient } from '../helpers/ws-client.ts';

const { Terminal } = xtermHeadless;

const gateway = useGateway({
  // A small replay buffer, so that reattaching after a lot of output needs the snapshot.
  config: { limits: { replayBufferBytes: 64 * 1024, flowControlWindowBytes: 32 * 1024 } },
});

function createPty(
  profile: string,
  options: { args?: string[]; cols?: number; rows?: number } = {},
): Promise<SessionInfo> {
  return gateway.createSession({ profile, ...options });
}

/** Attaches from `offset` (default 0: every byte); `null` asks for a snapshot of the screen. */
async function attach(session: SessionInfo, offset: number | null = 0): Promise<TestClient> {
  return connect(gateway.url, session.id, {
    token: gateway.operatorToken,
    ...(offset === null ? {} : { offset }),
  });
}

/** What a terminal of this size shows after `data`: the visible rows, trailing blanks trimmed. */
async function screenOf(data: Buffer | string, cols: number, rows: number): Promise<string> {
  const terminal = new Terminal({ cols, rows, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(data, resolve));
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let y = buffer.viewportY; y < buffer.viewportY + rows; y += 1) {
    lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
  }
  terminal.dispose();
  return lines.join('\n').trimEnd();
}

async function terminate(session: SessionInfo): Promise<void> {
  const response = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
    token: gateway.operatorToken,
  });
  assert.equal(response.status, 200, response.text);
}

/** Terminal output as a person reads it: without escape sequences and carriage returns. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[=>]|\r/g, '');
}

/** Starts a session, attaches from offset 0, runs `body`, then detaches and terminates it. */
async function withSession(
  profile: string,
  options: { args?: string[]; cols?: number; rows?: number },
  body: (client: TestClient, session: SessionInfo) => Promise<void>,
): Promise<void> {
  const session = await createPty(profile, options);
  const client = await attach(session);
  try {
    if (profile === 'shell') await client.waitForOutput((text) => text.includes('$ '));
    await body(client, session);
  } finally {
    await client.close();
    await terminate(session);
  }
}

/** Runs `sleep 100` as a job, interrupts it with `interrupt`, and checks the shell lives on. */
async function interruptsSleep(client: TestClient, interrupt: () => void): Promise<void> {
  client.sendInput('sleep 100\r');
  await client.waitForOutput((text) => text.includes('sleep 100'));
  await sleep(300); // let the job start
  const before = client.text().length;
  interrupt();
  await client.waitForOutput((text) => text.slice(before).includes('$ '));
  await run(client, 'echo "status $?"', /\nstatus 130\n/);
  await run(client, 'echo alive', /\nalive\n/);
}

/** Types a command line and waits until the shell has printed `expected` (plain text) after it. */
async function run(client: TestClient, command: string, expected: RegExp): Promise<string> {
  const before = client.text().length;
  client.sendInput(`${command}\r`);
  return client.waitForOutput((text) => expected.test(plain(text.slice(before))));
}

describe('PTY sessions', () => {
  test('a shell shows a prompt and runs a command', async () => {
    await withSession('shell', {}, async (client, session) => {
      assert.equal(session.mode, 'pty');
      assert.deepEqual(session.size, { cols: 80, rows: 24 });
      await run(client, 'echo $((2+3))', /\n5\n/);
    });
  });

  test('the terminal size comes from the spawn request and follows a resize', async () => {
    await withSession('shell', { cols: 100, rows: 30 }, async (client) => {
      await run(client, 'stty size; tput cols', /\n30 100\n100\n/);
      client.send({ type: 'resize', cols: 120, rows: 40 });
      const changed = await client.waitFor('the new size', () =>
        client.messages.find((message) => message.type === 'session' && message.session.size?.cols === 120),
      );
      assert.equal(changed.type === 'session' ? changed.session.size?.rows : undefined, 40);
      await run(client, 'stty size; tput cols', /\n40 120\n120\n/);
    });
  });

  test('two windows: whoever typed or resized last sets the size; a size sent again is not activity', async () => {
    await withSession('shell', { cols: 100, rows: 30 }, async (first, session) => {
      const second = await attach(session);
      try {
        first.send({ type: 'resize', cols: 120, rows: 40 });
        await run(first, 'stty size', /\n40 120\n/);
        second.send({ type: 'resize', cols: 90, rows: 20 });
        await run(second, 'stty size', /\n20 90\n/);
        await run(first, 'stty size', /\n40 120\n/);
        // The second window says its size again (a page does, on attach and after a debounce): no
        // news, and not activity, so the size stays the first's. Then a real change of its window,
        // whose size applies, tells when the gateway has handled both (in order).
        const seen = first.messages.length;
        second.send({ type: 'resize', cols: 90, rows: 20 });
        second.send({ type: 'resize', cols: 91, rows: 20 });
        const sizes = (): string[] =>
          first.messages
            .slice(seen)
            .flatMap((message) =>
              message.type === 'session' && message.session.size !== null ? [message.session.size] : [],
            )
            .map((size) => `${size.cols}×${size.rows}`);
        await first.waitFor('the changed window applied', () =>
          sizes().includes('91×20') ? true : undefined,
        );
        assert.deepEqual(sizes(), ['91×20'], 'the repeated size changed nothing');
      } finally {
        await second.close();
      }
    });
  });

  test('a resize of a pipe session is refused with NOT_A_TERMINAL', async () => {
    const response = await api(gateway.url, 'POST', '/api/sessions', {
      token: gateway.operatorToken,
      body: { profile: 'cat' },
    });
    const session = sessionInfoSchema.parse(get(response.body, 'session'));
    if (session.pid !== null) startedGroups.add(session.pid);
    const client = await attach(session);
    try {
      client.send({ type: 'resize', cols: 100, rows: 30 });
      const error = await client.nextMessage('error');
      assert.equal(error.code, 'NOT_A_TERMINAL');
    } finally {
      await client.close();
      await terminate(session);
    }
  });

  test('a SIGINT request interrupts the foreground job like Ctrl-C, and the shell survives', async () => {
    // The job runs in its own foreground process group, apart from the shell's.
    await withSession('shell', {}, (client) =>
      interruptsSleep(client, () => client.send({ type: 'signal', signal: 'SIGINT' })),
    );
  });

  test('the Ctrl-C byte interrupts the foreground job through the terminal driver', async () => {
    await withSession('shell', {}, (client) => interruptsSleep(client, () => client.sendInput('\x03')));
  });

  test('terminate escalates EOF, SIGHUP, SIGTERM, SIGKILL on a shell that traps HUP and TERM', async () => {
    const session = await createPty('pty-sh', {
      args: ["trap '' HUP TERM; echo ready; while :; do sleep 0.05; done"],
    });
    const client = await attach(session);
    try {
      await client.waitForOutput((text) => text.includes('ready'));
      client.send({ type: 'terminate', gracePeriodMs: 200 });
      const exit = await client.nextMessage('exit');
      assert.deepEqual(exit, { type: 'exit', code: null, signal: 'SIGKILL' });
      const stages = client.messages.flatMap((message) =>
        message.type === 'terminating' ? [message.stage] : [],
      );
      assert.deepEqual(stages, ['stdin', 'SIGHUP', 'SIGTERM', 'SIGKILL']);
    } finally {
      await client.close();
      await terminate(session);
    }
  });

  test('a shell that exits with 3 reports code 3 after its last output', async () => {
    await withSession('shell', {}, async (client) => {
      client.sendInput('echo bye; exit 3\r');
      const exit = await client.nextMessage('exit');
      assert.deepEqual(exit, { type: 'exit', code: 3, signal: null });
      assert.match(client.text(), /\rbye\r\nexit\r\n/);
      const last = client.events.at(-1);
      assert.ok(last?.kind === 'message' && last.message.type === 'exit', 'exit comes after all output');
    });
  });

  test('UTF-8 and wide characters survive, split or whole', async () => {
    await withSession('shell', {}, async (client) => {
      await run(
        client,
        "printf 'h\\303\\251llo \\344\\270\\226\\347\\225\\214 \\342\\234\\223\\n'",
        /\nhéllo 世界 ✓\n/,
      );
      // One character whose two bytes leave the program a moment apart.
      await run(client, "printf 'split:\\303'; sleep 0.2; printf '\\251\\n'", /\nsplit:é\n/);
      assert.match(await screenOf(client.output(), 80, 24), /héllo 世界 ✓\n(.*\n)?split:é/);
    });
  });

  test('reattaching to a full-screen program shows the same screen, even past the replay buffer', async () => {
    const cols = 80;
    const rows = 24;
    const session = await createPty('shell', { cols, rows });
    const first = await attach(session);
    let second: TestClient | undefined;
    let third: TestClient | undefined;
    try {
      await first.waitForOutput((text) => text.includes('$ '));
      // Far more output than the 64 KiB replay buffer, then a pager on the alternate screen.
      await run(first, 'seq 1 30000 | tail -n 3', /\n29998\n29999\n30000\n/);
      await run(first, 'seq 1 100000 > /dev/null; seq 1 40000', /\n40000\n/);
      first.sendInput('seq 1000 1200 | less\r');
      await first.waitForOutput((text) => /\n1022\n:$/.test(plain(text)));
      await sleep(300);
      const seen = await screenOf(first.output(), cols, rows);
      assert.match(seen, /^1000$/m, seen);

      second = await attach(session, null);
      const hello = second.messages.find((message) => message.type === 'hello');
      assert.ok(
        hello?.type === 'hello' && hello.snapshot,
        'a client without an offset starts from a snapshot',
      );
      await second.waitFor('the snapshot', () => second?.snapshots[0]);
      const snapshot = second.snapshots[0] ?? Buffer.alloc(0);
      assert.equal(await screenOf(snapshot, cols, rows), seen);

      // Resuming from an offset still in the replay buffer gets those exact bytes instead.
      const offset = first.position - 100;
      third = await attach(session, offset);
      const resumed = third.messages.find((message) => message.type === 'hello');
      assert.ok(resumed?.type === 'hello' && !resumed.snapshot && resumed.offset === offset);
      await third.waitForBytes(100);
      assert.deepEqual(third.output(), first.output().subarray(first.output().length - 100));

      // Both see the pager keep working: quit it and get the prompt back.
      first.sendInput('q');
      await first.waitForOutput((text) => plain(text).endsWith('$ '));
    } finally {
      await second?.close();
      await third?.close();
      await first.close();
      await terminate(session);
    }
  });

  test('deleting a shell session leaves no process of it behind, background jobs included', async () => {
    const session = await createPty('shell');
    const client = await attach(session);
    try {
      await client.waitForOutput((text) => text.includes('$ '));
      await run(client, 'sleep 1000 & echo started', /\nstarted\n/);
    } finally {
      await client.close();
      await terminate(session);
    }
    assert.ok(session.pid !== null);
    assert.deepEqual(await waitForGroupsGone([session.pid]), []);
  });
});
