// Server-side terminal state of a PTY session, so that a client attaching mid-session is shown the
// screen rather than a replay of bytes that may start in the middle of an escape sequence.
import { attachScreen, batchBuffer, detachScreen, hold, release, send } from './worker-host.js';
import { BATCH_BYTES } from './protocol.js';
import type { FromWorker } from './protocol.js';

export interface ScreenTrackerOptions {
  cols: number;
  rows: number;
  /** Lines of scrollback kept above the screen (default 1000). */
  scrollback?: number;
}

export interface ScreenSnapshot {
  /** Escape sequences that redraw the scrollback and screen on a fresh terminal of the same size. */
  data: string;
  /** Stream offset the snapshot stands for: it reflects every output byte before this one. */
  offset: number;
}

interface Request {
  resolve(data: string): void;
  reject(error: Error): void;
}

const DEFAULT_SCROLLBACK = 1000;
/** A batch's size until more output than this gathers. */
const SMALL_BATCH_BYTES = 4096;
/** Gathered output goes to the worker at the latest this long after its first byte. */
const BATCH_DELAY_MS = 25;

export class ScreenTracker {
  readonly #id: number;
  #written = 0;
  #parsed = 0;
  #batch: Uint8Array | null = null;
  #batchBytes = 0;
  #batchTimer: NodeJS.Timeout | undefined;
  #nextRequest = 1;
  #closed: Error | null = null;
  /** Whether this tracker holds the worker (and so the event loop) for unparsed output. */
  #holding = false;
  readonly #requests = new Map<number, Request>();
  readonly #parsedListeners = new Set<(backlog: number) => void>();

  constructor(options: ScreenTrackerOptions) {
    this.#id = attachScreen({
      message: (message) => this.#receive(message),
      failed: (error) => this.#fail(error),
    });
    send({
      op: 'open',
      id: this.#id,
      cols: options.cols,
      rows: options.rows,
      scrollback: options.scrollback ?? DEFAULT_SCROLLBACK,
    });
  }

  /** Output bytes handed to the tracker so far: its stream offset. */
  get offset(): number {
    return this.#written;
  }

  /** Bytes handed over but not yet parsed. The session counts it in its flow-control window. */
  get backlogBytes(): number {
    return this.#written - this.#parsed;
  }

  /**
   * Feeds output, in stream order. The bytes are copied (the caller may reuse `data`): writes
   * are gathered into one message (BATCH_BYTES, BATCH_DELAY_MS), anything that reads the screen
   * sends what is gathered first.
   */
  write(data: Uint8Array): void {
    const length = data.byteLength;
    if (this.#closed !== null || length === 0) return;
    this.#written += length;
    this.#setHolding(true);
    if (this.#batchBytes + length > BATCH_BYTES) this.#flush();
    if (length >= BATCH_BYTES) {
      // postMessage copies a view's whole ArrayBuffer, which for a small Buffer is Node's shared
      // 8 KiB pool: copy just these bytes once, and hand that copy over instead of copying it again.
      this.#post(new Uint8Array(data));
      return;
    }
    // A small batch holds a keystroke's echo; more output takes a full-size one, which the worker
    // gives back for reuse (a PTY's reads come in all sizes, so growing step by step would make
    // batches of all sizes, none of them reusable).
    let batch = this.#batch;
    if (batch === null || batch.byteLength < this.#batchBytes + length) {
      const grown =
        this.#batchBytes + length <= SMALL_BATCH_BYTES ? new Uint8Array(SMALL_BATCH_BYTES) : batchBuffer();
      if (batch !== null) grown.set(batch.subarray(0, this.#batchBytes));
      batch = grown;
      this.#batch = grown;
    }
    batch.set(data, this.#batchBytes);
    this.#batchBytes += length;
    if (this.#batchBytes === BATCH_BYTES) this.#flush();
    else if (this.#batchTimer === undefined) {
      this.#batchTimer = setTimeout(() => this.#flush(), BATCH_DELAY_MS);
      this.#batchTimer.unref();
    }
  }

  /** Applies a terminal resize at this point of the stream. */
  resize(cols: number, rows: number): void {
    if (this.#closed !== null) return;
    this.#flush();
    send({ op: 'resize', id: this.#id, cols, rows });
  }

  /** Calls `listener` with the backlog each time the worker has parsed a chunk. */
  onParsed(listener: (backlog: number) => void): { dispose(): void } {
    this.#parsedListeners.add(listener);
    return { dispose: () => this.#parsedListeners.delete(listener) };
  }

  /** The screen as it is after every byte written so far, and the offset that is. */
  async snapshot(): Promise<ScreenSnapshot> {
    const offset = this.#written;
    const data = await this.#request('snapshot');
    return { data, offset };
  }

  /** The scrollback and screen as plain text, trailing blank lines dropped. */
  text(): Promise<string> {
    return this.#request('text');
  }

  close(): void {
    if (this.#closed !== null) return;
    send({ op: 'close', id: this.#id });
    detachScreen(this.#id);
    this.#fail(new Error('screen tracker closed'));
  }

  #request(op: 'snapshot' | 'text'): Promise<string> {
    const closed = this.#closed;
    if (closed !== null) return Promise.reject(closed);
    const request = this.#nextRequest;
    this.#nextRequest += 1;
    this.#flush();
    hold();
    return new Promise<string>((resolve, reject) => {
      this.#requests.set(request, { resolve, reject });
      send({ op, id: this.#id, request });
    }).finally(release);
  }

  #receive(message: FromWorker): void {
    switch (message.op) {
      case 'parsed':
        this.#parsed += message.bytes;
        if (this.backlogBytes === 0) this.#setHolding(false);
        for (const listener of this.#parsedListeners) listener(this.backlogBytes);
        return;
      case 'snapshot':
      case 'text': {
        const request = this.#requests.get(message.request);
        this.#requests.delete(message.request);
        request?.resolve(message.data);
        return;
      }
      default: {
        const unreachable: never = message;
        throw new Error(`unknown screen message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Posts `bytes` (a copy this tracker owns) to the worker. */
  #post(bytes: Uint8Array): void {
    send({ op: 'write', id: this.#id, data: bytes }, [bytes.buffer as ArrayBuffer]);
  }

  /** Sends what is gathered. */
  #flush(): void {
    const batch = this.#batch;
    const length = this.#batchBytes;
    this.#dropBatch();
    if (batch === null || length === 0 || this.#closed !== null) return;
    this.#post(length === batch.byteLength ? batch : new Uint8Array(batch.buffer, 0, length));
  }

  #dropBatch(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    this.#batch = null;
    this.#batchBytes = 0;
  }

  #setHolding(holding: boolean): void {
    if (holding === this.#holding) return;
    this.#holding = holding;
    if (holding) hold();
    else release();
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    // Nothing will be parsed any more: report the backlog as drained so no one waits on it.
    this.#dropBatch();
    this.#parsed = this.#written;
    this.#setHolding(false);
    for (const listener of this.#parsedListeners) listener(0);
    this.#parsedListeners.clear();
    for (const request of this.#requests.values()) request.reject(error);
    this.#requests.clear();
  }
}
