// Messages between the gateway's main thread and the screen worker. Internal to screen/.

/**
 * Output is gathered into messages of up to this size: a message to the worker costs a copy, a
 * post and a wake-up of the worker (~20 µs for a keystroke's echo here, which cost more than the
 * echo itself; ~50 µs for a 64 KiB frame of a flood). Full-size batches go back to the main thread
 * once the worker is done with them, to be filled again: a flood then allocates nothing per batch.
 * Dead batches otherwise piled up in the worker until V8 counted enough external memory to collect
 * them (a 256 MiB PTY flood peaked ~60 MiB higher).
 */
export const BATCH_BYTES = 128 * 1024;

export type ToWorker =
  | { op: 'open'; id: number; cols: number; rows: number; scrollback: number }
  | { op: 'write'; id: number; data: Uint8Array }
  | { op: 'resize'; id: number; cols: number; rows: number }
  | { op: 'snapshot'; id: number; request: number }
  | { op: 'text'; id: number; request: number }
  | { op: 'close'; id: number };

export type FromWorker =
  /** `free`: full-size batches the worker no longer reads, transferred back for reuse. */
  | { op: 'parsed'; id: number; bytes: number; free: ArrayBuffer[] }
  | { op: 'snapshot'; id: number; request: number; data: string }
  | { op: 'text'; id: number; request: number; data: string };
