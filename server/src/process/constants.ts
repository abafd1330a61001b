// Every tunable of the process core, named in one place.

/** How long `terminate()` gives each step (EOF, then each signal) before escalating. */
export const DEFAULT_GRACE_PERIOD_MS = 1000;

/**
 * After the child has exited, how long its pipes may stay silent before `wait()` stops waiting
 * for end-of-file. A grandchild that inherited stdout can keep the pipe open indefinitely; the
 * child's own last output is already in the pipe when it exits, so a short idle period is enough.
 */
export const DRAIN_IDLE_MS = 250;

/** The byte a terminal in canonical mode turns into end-of-file (Ctrl-D, VEOF). */
export const TERMINAL_EOF = '\x04';

export const DEFAULT_PTY_COLS = 80;
export const DEFAULT_PTY_ROWS = 24;
export const DEFAULT_PTY_TERM = 'xterm-256color';

/**
 * After a premature end-of-file on a terminal's master side (see pty-master.ts), how many reads
 * returning 0 or EAGAIN are retried before giving up on the rest. The rest is already in the kernel
 * by then, so retries are rare; the bound only keeps a misbehaving kernel from spinning the loop.
 */
export const PTY_RESCUE_RETRIES = 100;
