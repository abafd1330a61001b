// One screen worker thread shared by every PTY session of the gateway, started on first use and
// stopped when the last screen closes. It keeps the event loop alive only while some screen has
// work in flight (a request or unparsed output), so an idle screen never holds a process open.
import { Worker } from 'node:worker_threads';
import { BATCH_BYTES } from './protocol.js';
import type { FromWorker, ToWorker } from './protocol.js';

export interface ScreenListener {
  message(message: FromWorker): void;
  /** The worker died (a bug or out of memory): the screen is gone. */
  failed(error: Error): void;
}

let worker: Worker | null = null;
const listeners = new Map<number, ScreenListener>();
let nextId = 1;
let busy = 0;
/** Full-size batches back from the worker, to be filled again. */
const spare: ArrayBuffer[] = [];
/**
 * Spare batches kept at most: what a few floods have in flight at once. More come back only after
 * a burst (each session's flow-control window bounds its own), and those are left to the collector.
 */
const MAX_SPARE = 16;

function start(): Worker {
  // The worker always runs compiled code: dist/screen/screen-worker.js beside this module, or, when
  // this module runs from sources under tsx (tests), the build's copy (Node 20's worker threads do
  // not take tsx's loader).
  const fromSources = import.meta.url.endsWith('.ts');
  const started = new Worker(
    new URL(fromSources ? '../../dist/screen/screen-worker.js' : './screen-worker.js', import.meta.url),
  );
  if (busy === 0) started.unref();
  let failure = new Error('the screen worker exited unexpectedly');
  started.on('message', (message: FromWorker) => {
    if (message.op === 'parsed') {
      for (const buffer of message.free) if (spare.length < MAX_SPARE) spare.push(buffer);
    }
    listeners.get(message.id)?.message(message);
  });
  started.on('error', (error) => {
    failure = error;
  });
  started.on('exit', () => {
    if (worker !== started) return; // stopped on purpose
    worker = null;
    const orphans = [...listeners.values()];
    listeners.clear();
    for (const listener of orphans) listener.failed(failure);
  });
  return started;
}

/** Registers a screen; `listener` receives the worker's messages for it. Returns its id. */
export function attachScreen(listener: ScreenListener): number {
  worker ??= start();
  const id = nextId;
  nextId += 1;
  listeners.set(id, listener);
  return id;
}

/** Posts `message`; the buffers in `transfer` move to the worker instead of being copied. */
export function send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
  worker?.postMessage(message, transfer);
}

/** An empty batch of BATCH_BYTES: one the worker gave back, or a new one. */
export function batchBuffer(): Uint8Array {
  return new Uint8Array(spare.pop() ?? new ArrayBuffer(BATCH_BYTES));
}

/** Spare batches waiting to be filled again (tests). */
export function spareBatches(): number {
  return spare.length;
}

/** Keeps the event loop alive until the matching {@link release}: work is in flight. */
export function hold(): void {
  busy += 1;
  if (busy === 1) worker?.ref();
}

export function release(): void {
  busy -= 1;
  if (busy === 0) worker?.unref();
}

/** Forgets a screen; stops the worker when it was the last one. */
export function detachScreen(id: number): void {
  listeners.delete(id);
  if (listeners.size === 0 && worker !== null) {
    const stopping = worker;
    worker = null;
    spare.length = 0;
    void stopping.terminate();
  }
}
