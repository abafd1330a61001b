// The screen worker: one headless xterm.js terminal per PTY session, fed with the session's
// output, serialized on request. It runs in a worker thread because parsing terminal output costs
// more CPU than relaying it (a `yes` flood parses at ~20 MB/s here), and the relay must not wait.
// Output goes through a ScreenFeed (feed.ts), which does not parse the plain text that scrolls out
// of reach before anything needs the screen; and a session that has printed little has no terminal
// yet, only its bytes (unopened.ts).
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { ScreenFeed } from './feed.js';
import { BATCH_BYTES } from './protocol.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { UnopenedScreen } from './unopened.js';
import type * as XtermHeadless from '@xterm/headless';
import type * as SerializeAddonModule from '@xterm/addon-serialize';

// Loaded with require, not import: an ES import of a CommonJS module first runs Node's export
// lexer over its whole source (xterm.js is ~300 KB), which was half of the worker's start — the
// first PTY session of a gateway paid ~95 ms of CPU for it, and ~48 ms this way.
const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as typeof XtermHeadless;
const { SerializeAddon } = require('@xterm/addon-serialize') as typeof SerializeAddonModule;

interface Screen {
  terminal: InstanceType<typeof Terminal>;
  serializer: InstanceType<typeof SerializeAddon>;
  feed: ScreenFeed;
  /** Full-size batches the feed may still read (a kept stretch's views), oldest first. */
  held: ArrayBuffer[];
}

/**
 * Batches a screen may hold for reuse: more than a kept stretch can span (1 MiB). Past it the oldest
 * is forgotten and left to the collector, as it is when xterm.js lacks the feed's internals.
 */
const MAX_HELD = 32;

const screens = new Map<number, Screen>();
/** Screens without a terminal yet, by id: never in `screens` at the same time. */
const unopened = new Map<number, UnopenedScreen>();
const port = parentPort;
if (port === null) throw new Error('screen-worker must run in a worker thread');

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

/** The full-size batches, `latest` included, that `screen` is done with: they go back for reuse. */
function batchesDoneWith(screen: Screen, latest: ArrayBufferLike): ArrayBuffer[] {
  if (latest.byteLength === BATCH_BYTES && latest instanceof ArrayBuffer) screen.held.push(latest);
  const free: ArrayBuffer[] = [];
  const held: ArrayBuffer[] = [];
  for (const buffer of screen.held) (screen.feed.retains(buffer) ? held : free).push(buffer);
  if (held.length > MAX_HELD) held.shift();
  screen.held = held;
  return free;
}

/**
 * Runs `task` at exactly this point of the output stream: after every byte written before it has
 * been parsed and before any byte written after it (feed.ts).
 */
function atThisPoint(screen: Screen, task: () => void): void {
  screen.feed.at(task);
}

/** Plain text of the scrollback and screen, trailing blanks trimmed: what a person would read. */
function screenText(screen: Screen): string {
  const buffer = screen.terminal.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y += 1) {
    lines.push(buffer.getLine(y)?.translateToString(true) ?? '');
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

/** Makes the terminal of unopened screen `id`, with its feed and serializer, fed what was kept. */
function openTerminal(id: number, waiting: UnopenedScreen): Screen {
  const terminal = new Terminal({ ...waiting.shape, allowProposedApi: true });
  const serializer = new SerializeAddon();
  terminal.loadAddon(serializer);
  const screen: Screen = { terminal, serializer, feed: new ScreenFeed(terminal), held: [] };
  screen.feed.write(waiting.output);
  unopened.delete(id);
  screens.set(id, screen);
  return screen;
}

/** `buffer` back to the main thread when it is a full-size batch (it was copied, not kept). */
function reusable(buffer: ArrayBufferLike): ArrayBuffer[] {
  return buffer.byteLength === BATCH_BYTES && buffer instanceof ArrayBuffer ? [buffer] : [];
}

port.on('message', (message: ToWorker) => {
  if (message.op === 'open') {
    const { cols, rows, scrollback } = message;
    unopened.set(message.id, new UnopenedScreen({ cols, rows, scrollback }));
    return;
  }
  if (message.op === 'close') {
    unopened.delete(message.id);
    screens.get(message.id)?.terminal.dispose();
    screens.delete(message.id);
    return;
  }
  const waiting = unopened.get(message.id);
  if (message.op === 'resize' && waiting?.resize(message.cols, message.rows) === true) return;
  if (message.op === 'write' && waiting?.keep(message.data) === true) {
    const free = reusable(message.data.buffer);
    post({ op: 'parsed', id: message.id, bytes: message.data.byteLength, free }, free);
    return;
  }
  const screen = waiting === undefined ? screens.get(message.id) : openTerminal(message.id, waiting);
  if (screen === undefined) return;
  switch (message.op) {
    case 'write': {
      const { data } = message;
      const bytes = data.byteLength;
      screen.feed.write(data);
      // Parsed or kept: either way the output is taken (a kept stretch is bounded).
      screen.feed.taken(() => {
        const free = batchesDoneWith(screen, data.buffer);
        post({ op: 'parsed', id: message.id, bytes, free }, free);
      });
      return;
    }
    case 'resize':
      atThisPoint(screen, () => screen.terminal.resize(message.cols, message.rows));
      return;
    case 'snapshot':
      atThisPoint(screen, () =>
        post({
          op: 'snapshot',
          id: message.id,
          request: message.request,
          data: screen.serializer.serialize(),
        }),
      );
      return;
    case 'text':
      atThisPoint(screen, () =>
        post({ op: 'text', id: message.id, request: message.request, data: screenText(screen) }),
      );
      return;
    default: {
      const unreachable: never = message;
      throw new Error(`unknown screen-worker message ${JSON.stringify(unreachable)}`);
    }
  }
});
