// `shellgate exec -t` and `attach` in a real pseudo-terminal (the process core's PtyProcess, which
// delivers every byte up to the end: node-pty could drop the tail of `stty -a`), as an operator types
// them: the remote terminal follows the local size, Ctrl-C travels as a byte, the detach keys leave
// the session running, and the local terminal is out of raw mode again afterwards.
import assert from 'node:assert/strict';
import { StringDecoder } from 'node:string_decoder';
import { test } from 'node:test';
import { PtyProcess } from '../../server/src/process/index.ts';
import { GATEWAY_CLI } from '../helpers/cli-client.ts';
import { useGateway } from '../helpers/fixture.ts';
import { getString } from '../helpers/http.ts';

const WAIT_MS = 30_000;
const gateway = useGateway();

interface Terminal {
  pty: PtyProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<number>;
}

const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;

/**
 * Runs `shellgate ARGS` in a new terminal, then prints its status and the terminal's modes
 * (`stty -a`) from the same terminal, the way a shell prompt would find it.
 */
function inTerminal(args: string[]): Terminal {
  const command = [process.execPath, GATEWAY_CLI, ...args].map(quote).join(' ');
  const pty = new PtyProcess(['sh', '-c', `${command}; echo "status=$?"; stty -a`], {
    name: 'xterm-256color',
    cols: 80,
    rows: 24,
    collect: false,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      SHELLGATE_URL: gateway.url,
      SHELLGATE_TOKEN: gateway.operatorToken,
    },
  });
  let text = '';
  const decoder = new StringDecoder('utf8');
  const waiters = new Set<() => void>();
  pty.onOutput(({ data }) => {
    text += decoder.write(data);
    for (const waiter of [...waiters]) waiter();
  });
  // After the last byte of output, unlike an exit event.
  const exited = pty.wait().then((status) => status.code ?? 128);
  const killer = setTimeout(() => void pty.terminate({ gracePeriodMs: 100 }), 2 * WAIT_MS);
  void exited.then(() => clearTimeout(killer));
  return {
    pty,
    output: () => text,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(text);
          if (match === null) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(match);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${String(pattern)} did not appear in ${JSON.stringify(text)}`));
        }, WAIT_MS);
        waiters.add(check);
        check();
      });
    },
  };
}

/** The terminal left in cooked mode with echo, as before the client ran. */
function assertCooked(terminal: Terminal): void {
  const modes = terminal.output().slice(terminal.output().indexOf('status='));
  assert.match(modes, /(^|\s)icanon(\s|$)/m, modes);
  assert.match(modes, /(^|\s)echo(\s|$)/m, modes);
  assert.match(modes, /(^|\s)isig(\s|$)/m, modes);
}

test('exec -t gives the remote terminal the local size, and follows a resize', async () => {
  const terminal = inTerminal(['exec', '-t', 'pty-sh', 'stty size; while read line; do stty size; done']);
  await terminal.waitFor(/24 80/);
  terminal.pty.resize(100, 30);
  // The resize reaches the client as SIGWINCH, on its own schedule: ask again until it shows.
  for (let attempt = 0; attempt < 100 && !/30 100/.test(terminal.output()); attempt += 1) {
    terminal.pty.write('\r');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await terminal.waitFor(/30 100/);
  terminal.pty.write('\x04'); // EOF: read fails, the loop and the shell end
  await terminal.waitFor(/status=0/);
  await terminal.exited;
  assertCooked(terminal);
});

test('exec -t sends Ctrl-C as a byte: the remote terminal interrupts its job (128+2), the local one is restored', async () => {
  const terminal = inTerminal(['exec', '-t', 'pty-sh', 'echo ready; sleep 30']);
  await terminal.waitFor(/ready/);
  terminal.pty.write('\x03');
  await terminal.waitFor(/status=130/);
  await terminal.exited;
  assertCooked(terminal);
});

test('attach prints the detach keys, and ctrl-p ctrl-q leaves the session running', async () => {
  const { id } = await gateway.createSession({ profile: 'shell' });
  try {
    const terminal = inTerminal(['attach', id]);
    await terminal.waitFor(/detach with ctrl-p ctrl-q/);
    terminal.pty.write('echo "hel""lo"\r');
    await terminal.waitFor(/hello/);
    terminal.pty.write('\x10\x11');
    await terminal.waitFor(/status=0/);
    await terminal.exited;
    assert.match(terminal.output(), /detached from/);
    assertCooked(terminal);
    const session = await gateway.api('GET', `/api/sessions/${id}`);
    assert.equal(getString(session.body, 'session', 'state'), 'running');
  } finally {
    await gateway.api('DELETE', `/api/sessions/${id}`);
  }
});
