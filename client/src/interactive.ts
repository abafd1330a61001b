// A control or view attachment wired to this process: output to stdout/stderr, stdin to the remote
// stdin, signals or the terminal (raw mode, resize) — shared by `exec` and `attach`. Everything it
// installs is removed again however the session ends.
import type { ClientMessage, HelloMessage } from '@shellgate/shared';
import { DETACH_KEYS_TEXT, DetachKeys } from './detach-keys.js';
import { InputPump } from './input.js';
import { forwardSignals } from './signals.js';
import type { SessionStream, StreamEnd } from './stream.js';
import { enterRawMode } from './terminal.js';
import type { LocalTerminal } from './terminal.js';

export interface InteractiveOptions {
  /** `-t`: the local terminal in raw mode, its size sent on every SIGWINCH. */
  tty: boolean;
  /** Forward local stdin (else it is left alone; with `closeStdin`, the remote one is closed). */
  forwardStdin: boolean;
  /** `-n`: close the remote stdin as soon as the stream is open. */
  closeStdin: boolean;
  /** `attach`: the detach sequence ends the command, leaving the session running. */
  detachKeys: boolean;
  /** May send (a control attachment). */
  control: boolean;
  say: (line: string) => void;
}

export async function runInteractive(stream: SessionStream, options: InteractiveOptions): Promise<StreamEnd> {
  const { client } = stream;
  const cleanups: Array<() => void> = [];
  // Messages the user caused while the connection was down go out once it is back.
  const queued: ClientMessage[] = [];
  const send = (message: ClientMessage): void => {
    if (!client.send(message)) queued.push(message);
  };
  let terminal: LocalTerminal | undefined;
  let input: InputPump | undefined;

  if (options.tty) {
    terminal = enterRawMode(process.stdin, process.stdout);
    const local = terminal;
    cleanups.push(() => local.restore());
    if (options.control) {
      cleanups.push(local.onResize((size) => send({ type: 'resize', cols: size.cols, rows: size.rows })));
    }
  }
  if (options.control) cleanups.push(forwardSignals(send, options.say));

  stream.onHello((hello: HelloMessage, first: boolean) => {
    if (first && options.detachKeys && process.stdin.isTTY === true) {
      options.say(
        `attached to ${hello.session.id}${hello.role === 'view' ? ' (read-only)' : ''}; detach with ${DETACH_KEYS_TEXT}`,
      );
    }
    if (first && options.control && options.closeStdin) send({ type: 'close-stdin' });
    if (first && (options.forwardStdin || options.detachKeys)) {
      const keys = options.detachKeys ? new DetachKeys() : undefined;
      const filter = (chunk: Buffer): Buffer => {
        if (keys === undefined) return chunk;
        const { send: bytes, detach } = keys.feed(chunk);
        if (detach) stream.detach();
        // A viewer's keys are only read for the detach sequence.
        return options.control && !detach ? bytes : Buffer.alloc(0);
      };
      const channel = {
        sendStdin: (bytes: Uint8Array) => client.sendStdin(bytes),
        send: (message: ClientMessage) => client.send(message),
        barrier: () => stream.barrier(),
      };
      const pump = new InputPump(
        process.stdin,
        channel,
        options.say,
        filter,
        options.control && options.forwardStdin,
      );
      stream.onInputRefused((code) => pump.refused(code));
      input = pump;
      cleanups.push(() => pump.stop());
    }
    for (const message of queued.splice(0)) send(message);
    input?.connected();
    // The local size may have changed while we were away, or differ from the one exec started with.
    const size = terminal?.size();
    if (options.control && size !== undefined && hello.session.size !== null) {
      if (size.cols !== hello.session.size.cols || size.rows !== hello.session.size.rows) {
        send({ type: 'resize', cols: size.cols, rows: size.rows });
      }
    }
  });

  try {
    return await stream.start();
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}
