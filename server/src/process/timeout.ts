import { AsyncLocalStorage } from 'node:async_hooks';
import { TimeoutError } from './errors.js';
import { validateDuration } from './validate.js';

// The signal of the innermost running `withTimeout`, so that a nested call also ends with its
// enclosing ones — SIGALRM could only hold one deadline at a time; we hold one per call.
const enclosing = new AsyncLocalStorage<AbortSignal>();
/**
 * Calls running now. Node 20 carries an AsyncLocalStorage's store with async hooks that, once
 * enabled, run for every promise and I/O request the process makes; they are turned off again when
 * the last call returns, so a gateway that used withTimeout once (a warm-up's throwaway gateway
 * closing) does not pay them on every message after.
 */
let running = 0;

/**
 * Calls `fn(...args, signal)`, allowing it only `ms` milliseconds (fractions work): rejects with a
 * `TimeoutError` when it takes longer, and aborts `signal` so the work can be cancelled — JavaScript
 * cannot interrupt running code, so `fn` should pass `signal` on to what it awaits. A nested call
 * is also interrupted at its enclosing calls' deadlines, whichever comes first, while they run;
 * work an enclosing call abandoned at its deadline has that call's aborted `signal` to go by.
 */
export function withTimeout<T, A extends unknown[]>(
  ms: number,
  fn: (...args: [...A, AbortSignal]) => T | PromiseLike<T>,
  ...args: A
): Promise<T>;
/** The same for a function that ignores the signal (it still gets it, as an extra argument). */
export function withTimeout<T, A extends unknown[]>(
  ms: number,
  fn: (...args: A) => T | PromiseLike<T>,
  ...args: A
): Promise<T>;
export async function withTimeout(
  ms: number,
  fn: (...args: [...unknown[], AbortSignal]) => unknown,
  ...args: unknown[]
): Promise<unknown> {
  validateDuration('withTimeout: ms', ms);
  const own = new AbortController();
  const outer = enclosing.getStore();
  const signal = outer === undefined ? own.signal : AbortSignal.any([outer, own.signal]);
  const timer = setTimeout(() => own.abort(new TimeoutError(ms)), ms);
  // Removes the abort listener when we are done, whichever way.
  const finished = new AbortController();
  running += 1;
  try {
    signal.throwIfAborted();
    const interrupted = new Promise<null>((resolve) => {
      signal.addEventListener('abort', () => resolve(null), { once: true, signal: finished.signal });
    });
    const work = Promise.resolve(enclosing.run(signal, () => fn(...args, signal))).then((value) => ({
      value,
    }));
    // Late failures of abandoned work are the work's business, not an unhandled rejection.
    work.catch(() => {});
    const outcome = await Promise.race([work, interrupted]);
    // Interrupted: by our deadline or an enclosing one, whose TimeoutError is the reason.
    if (outcome === null) throw signal.reason;
    return outcome.value;
  } finally {
    clearTimeout(timer);
    finished.abort();
    running -= 1;
    if (running === 0) enclosing.disable();
  }
}
