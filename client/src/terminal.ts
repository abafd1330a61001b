// The local terminal for `-t`: raw mode while the session runs, restored on every way out — the
// normal end, an error, a signal that kills us, an uncaught exception — as `ssh` does.
import type { ReadStream } from 'node:tty';

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface LocalTerminal {
  size(): TerminalSize | undefined;
  /** Calls `listener` on every SIGWINCH with the new size; returns the remover. */
  onResize(listener: (size: TerminalSize) => void): () => void;
  restore(): void;
}

function isTty(stream: NodeJS.ReadStream): stream is ReadStream & NodeJS.ReadStream {
  return stream.isTTY === true;
}

/** Puts stdin in raw mode (if it is a terminal) until `restore()`, which runs at most once. */
export function enterRawMode(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): LocalTerminal {
  const raw = isTty(stdin);
  if (raw) stdin.setRawMode(true);
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    if (raw) stdin.setRawMode(false);
    process.off('exit', restore);
  };
  // `exit` runs on process.exit and on an uncaught exception's way out.
  process.on('exit', restore);
  return {
    size: () =>
      stdout.isTTY === true && stdout.columns > 0 ? { cols: stdout.columns, rows: stdout.rows } : undefined,
    onResize(listener) {
      const handler = (): void => {
        if (stdout.isTTY === true) listener({ cols: stdout.columns, rows: stdout.rows });
      };
      process.on('SIGWINCH', handler);
      return () => process.off('SIGWINCH', handler);
    },
    restore,
  };
}
