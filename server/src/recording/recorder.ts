// One session's recording: events in, asciicast lines out, without ever holding up the relay.
//
//   relay ──output()/marker()/…──► write buffer (or queue, while a write is in flight) ──► sink
//
// The relay's side timestamps the event and, when no write is in flight and nothing waits before
// it, encodes it into the write buffer at once; otherwise the event is queued, and the drain
// encodes it once the write is done. The relay never waits for the disk, and one write is in flight
// at a time. When more than `maxQueueBytes` of events wait for the disk (queued, encoded or being
// written), output and input events are dropped (counted); once all has been written, one `m`
// marker says how many bytes were lost. Markers, resizes and the exit are never dropped (they are
// small). A file never grows past `maxBytes`: the event that would not fit is replaced by a marker
// saying the limit was reached, and only the exit event follows it.
import type { ExitStatus, TerminalSize } from '@shellgate/shared';
import { EventCode, eventLine, exitData, fittingLine, formatSeconds, resizeData } from './asciicast.js';
import { appendAsciiJson, asciiJsonBound, asciiText } from './ascii-json.js';
import { WriteBatch } from './batch.js';
import type { RecordingSink } from './sink.js';
import { StreamText } from './stream-text.js';

export interface RecorderOptions {
  /** The file's size limit in bytes, header included. */
  maxBytes: number;
  /** Bytes of events waiting for the disk beyond which output and input are dropped. */
  maxQueueBytes: number;
  /** Whether stdin is recorded (`i` events). */
  input: boolean;
  /** A write failed: the recording stops there (what was written stays playable). */
  onError(error: unknown): void;
}

/** How a recording ended. */
export interface RecordingOutcome {
  /** The file's size. */
  bytes: number;
  /** Output and input bytes dropped because the disk was slower than the session. */
  droppedBytes: number;
  limitReached: boolean;
  failed: boolean;
}

/** Kept free under the limit for the limit's marker and the exit event (each well under 128). */
export const LIMIT_RESERVE_BYTES = 256;
/**
 * The write buffer's first size: a quiet session's batches fit. A write takes all that is queued
 * (up to the queue's bound, so the buffer grows with a backlog, to about that bound): with one
 * write in flight, what reaches the disk is a write's size over its latency, and on a loaded
 * machine that latency is mostly the wait for a libuv thread. Writes of 256 KiB at most dropped
 * output at 200 MiB/s and load 7.
 */
const BATCH_START_BYTES = 256 * 1024;
/**
 * Streaming output is gathered into writes of about this much: each write costs the main thread a
 * libuv thread's wake-up (on a busy 2-core machine, the core itself for the copy) and the kernel
 * some fixed work, and 64 KiB chunks made one write each.
 */
const WRITE_BYTES = 1024 * 1024;
/**
 * Lines wait for more at most this long after the previous write ended, and not at all when it
 * ended longer ago: a quiet session's lines go out at once. A SIGKILL loses what waits.
 */
const WRITE_DELAY_MS = 5;

interface Pending {
  /** performance.now() when it happened. */
  at: number;
  code: EventCode;
  data: Uint8Array | string;
}

const sizeOf = (data: Uint8Array | string): number =>
  typeof data === 'string' ? data.length : data.byteLength;

export class SessionRecorder {
  readonly closed: Promise<RecordingOutcome>;
  #resolveClosed: (outcome: RecordingOutcome) => void = () => undefined;
  readonly #origin = performance.now();
  #queue: Pending[] = [];
  #head = 0;
  /** Event bytes queued, in the batch or being written. */
  #backlog = 0;
  /** Event bytes in the batch, not yet written. */
  #unwritten = 0;
  /** performance.now() when the last write ended. */
  #lastWriteEnd = -Infinity;
  #writeTimer: NodeJS.Timeout | undefined;
  #dropping = false;
  #dropped = 0;
  #droppedTotal = 0;
  /** Bytes in the file, in the write in flight or in the batch: the header's first. */
  #written: number;
  /** The last written event's instant, in whole microseconds since the start. */
  #lastMicros = 0;
  #pendingText: string;
  readonly #batch = new WriteBatch(BATCH_START_BYTES);
  #accepting = true;
  #limitReached = false;
  #failed = false;
  #scheduled = false;
  #draining = false;
  #finished = false;
  /** Each stream is decoded on its own, so a character split across chunks stays whole. */
  readonly #streams = new Map<EventCode, StreamText>();

  constructor(
    private readonly sink: RecordingSink,
    header: string,
    private readonly options: RecorderOptions,
  ) {
    this.#pendingText = header;
    this.#written = Buffer.byteLength(header);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#schedule();
  }

  /** Bytes in the file so far (for listings of a recording still being written). */
  get bytes(): number {
    return this.#written;
  }

  get recordsInput(): boolean {
    return this.options.input;
  }

  output(stream: 'stdout' | 'stderr', data: Uint8Array): void {
    this.#push(stream === 'stdout' ? EventCode.Output : EventCode.Stderr, data, true);
  }

  /** What a control client wrote; recorded only when the configuration says so. */
  input(data: Uint8Array): void {
    if (this.options.input) this.#push(EventCode.Input, data, true);
  }

  resize(size: TerminalSize): void {
    this.#push(EventCode.Resize, resizeData(size), false);
  }

  marker(text: string): void {
    this.#push(EventCode.Marker, text, false);
  }

  /** The process exited: the last event; the file is closed once everything queued is written. */
  exit(status: ExitStatus): void {
    this.#push(EventCode.Exit, exitData(status), false);
    this.close();
  }

  /** No more events: what is queued is written, then the file closed. Idempotent. */
  close(): void {
    this.#accepting = false;
    this.#schedule();
  }

  /** Stops at once: what is queued is dropped, the file closed (it is about to be deleted). */
  abort(): void {
    this.#accepting = false;
    this.#queue = [];
    this.#head = 0;
    this.#backlog = 0;
    this.#pendingText = '';
    this.#batch.reset();
    this.#unwritten = 0;
    this.#schedule();
  }

  #push(code: EventCode, data: Uint8Array | string, droppable: boolean): void {
    if (!this.#accepting || this.#failed) return;
    if (this.#limitReached && code !== EventCode.Exit) return;
    const bytes = sizeOf(data);
    // A single chunk larger than the bound is still taken when nothing waits.
    if (
      droppable &&
      (this.#dropping || (this.#backlog > 0 && this.#backlog + bytes > this.options.maxQueueBytes))
    ) {
      this.#dropping = true;
      this.#dropped += bytes;
      return;
    }
    this.#backlog += bytes;
    if (this.#draining || this.#head < this.#queue.length || this.#pendingText !== '') {
      // A copy: the relay's chunk may be a lent read buffer (process/lent-pipe.ts), reused next read.
      this.#queue.push({
        at: performance.now(),
        code,
        data: typeof data === 'string' ? data : new Uint8Array(data),
      });
    } else {
      // No write in flight, nothing before it: into the batch now, so the chunk is not kept past the
      // relay's turn (chunks kept survived scavenges and cost a full GC per 64 MiB or so).
      this.#unwritten += bytes;
      this.#encode(performance.now(), code, data);
      // While the batch gathers, its timer drains it: a drain now would find nothing to do, at the
      // cost of an immediate and a promise per relayed chunk.
      if (this.#writeTimer !== undefined && this.#gathering()) return;
    }
    this.#schedule();
  }

  /** Drains after the current turn, so that one turn's events go out in one write. */
  #schedule(): void {
    if (this.#scheduled || this.#draining || this.#finished) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    const batch = this.#batch;
    while (!this.#failed) {
      if (this.#pendingText !== '') batch.append(this.#pendingText);
      this.#pendingText = '';
      while (this.#head < this.#queue.length && batch.length < this.options.maxQueueBytes) {
        const event = this.#queue[this.#head];
        this.#head += 1;
        if (event === undefined) break;
        this.#unwritten += sizeOf(event.data);
        this.#encode(event.at, event.code, event.data);
      }
      this.#compact();
      if (batch.length === 0 || this.#gathering()) break;
      await this.#write(batch.bytes());
      batch.reset();
      this.#lastWriteEnd = performance.now();
      this.#backlog = Math.max(0, this.#backlog - this.#unwritten);
      this.#unwritten = 0;
      if (this.#backlog === 0 && this.#dropping) this.#endDroppedStretch();
    }
    this.#draining = false;
    if (!this.#accepting || this.#failed) await this.#finish();
  }

  /**
   * Whether the batch waits for more (a timer drains it when the wait is over). Not while output is
   * being dropped: the dropped stretch ends only once all has been written.
   */
  #gathering(): boolean {
    const wait = this.#lastWriteEnd + WRITE_DELAY_MS - performance.now();
    if (!this.#accepting || this.#dropping || this.#batch.length >= WRITE_BYTES || wait <= 0) return false;
    this.#writeTimer ??= setTimeout(() => {
      this.#writeTimer = undefined;
      this.#schedule();
    }, wait);
    return true;
  }

  /** The queue has drained after a dropped stretch: say so in the file, and record again. */
  #endDroppedStretch(): void {
    this.#dropping = false;
    this.#droppedTotal += this.#dropped;
    const text = `recording dropped ${this.#dropped} bytes: disk too slow`;
    this.#dropped = 0;
    this.#queue.push({ at: performance.now(), code: EventCode.Marker, data: text });
    this.#backlog += text.length;
  }

  /** Appends the event's line(s) to the batch; nothing when it adds nothing (a partial character, past the limit). */
  #encode(at: number, code: EventCode, data: Uint8Array | string): void {
    if (this.#limitReached && code !== EventCode.Exit) return;
    if (code === EventCode.Exit) {
      // The last bytes of an incomplete character become U+FFFD before the exit.
      for (const [streamCode, stream] of this.#streams) this.#line(at, streamCode, stream.end());
    }
    if (typeof data === 'string') {
      this.#line(at, code, data);
      return;
    }
    let stream = this.#streams.get(code);
    if (stream === undefined) {
      stream = new StreamText();
      this.#streams.set(code, stream);
    }
    if (!stream.ascii(data)) this.#line(at, code, stream.decode(data));
    else if (data.byteLength > 0) this.#asciiLine(at, code, data);
  }

  #line(at: number, code: EventCode, data: string): void {
    if (data === '' && code !== EventCode.Marker && code !== EventCode.Exit) return;
    if (this.#limitReached && code !== EventCode.Exit) return;
    const micros = this.#micros(at);
    const interval = micros - this.#lastMicros;
    // eventLine's format, its parts encoded into the batch one after the other (batch.ts).
    const head = `[${formatSeconds(interval)}, "${code}", `;
    const json = JSON.stringify(data);
    const budget = this.options.maxBytes - LIMIT_RESERVE_BYTES - this.#written;
    // UTF-16 units take at most 3 bytes each: only a line that might not fit is measured.
    const bound = head.length + json.length * 3 + 2;
    const exact = bound <= budget ? 0 : Buffer.byteLength(head) + Buffer.byteLength(json) + 2;
    if (code !== EventCode.Exit && exact > budget) {
      // What fits of this event goes in (output is cut at a character), then the limit's marker.
      this.#limitReached = true;
      const marker = `recording stopped: limit ${this.options.maxBytes} bytes reached`;
      const fitting = code === EventCode.Marker ? '' : (fittingLine(interval, code, data, budget) ?? '');
      const line = fitting + eventLine(fitting === '' ? interval : 0, EventCode.Marker, marker);
      this.#append(line, line.length * 3);
    } else {
      this.#append(head, head.length);
      this.#append(json, json.length * 3);
      this.#append(']\n', 2);
    }
    this.#lastMicros = micros;
  }

  /** An ASCII chunk's line, its JSON escaped straight into the batch: no string is made (ascii-json.ts). */
  #asciiLine(at: number, code: EventCode, data: Uint8Array): void {
    const micros = this.#micros(at);
    const head = `[${formatSeconds(micros - this.#lastMicros)}, "${code}", `;
    // A line that might not fit goes the measured way, with the same text: the same bytes, if it fits.
    if (
      head.length + asciiJsonBound(data.byteLength) + 2 >
      this.options.maxBytes - LIMIT_RESERVE_BYTES - this.#written
    ) {
      this.#line(at, code, asciiText(data));
      return;
    }
    this.#append(head, head.length);
    const before = this.#batch.length;
    appendAsciiJson(data, this.#batch);
    this.#written += this.#batch.length - before;
    this.#append(']\n', 2);
    this.#lastMicros = micros;
  }

  /** The instant of an event at `at`, in whole microseconds since the start; never before the last. */
  #micros(at: number): number {
    return Math.max(this.#lastMicros, Math.round((at - this.#origin) * 1000));
  }

  #append(text: string, maxBytes: number): void {
    const before = this.#batch.length;
    this.#batch.append(text, maxBytes);
    this.#written += this.#batch.length - before;
  }

  async #write(bytes: Uint8Array): Promise<void> {
    try {
      await this.sink.write(bytes);
    } catch (error) {
      this.#failed = true;
      this.#queue = [];
      this.#head = 0;
      this.#backlog = 0;
      this.options.onError(error);
    }
  }

  /** Drops written events from the queue's front once they are most of it. */
  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  async #finish(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#writeTimer);
    this.#batch.release();
    try {
      await this.sink.close();
    } catch (error) {
      this.options.onError(error);
    }
    this.#resolveClosed({
      bytes: this.#written,
      droppedBytes: this.#droppedTotal + this.#dropped,
      limitReached: this.#limitReached,
      failed: this.#failed,
    });
  }
}
