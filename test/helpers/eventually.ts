// Waiting, bounded, for something the gateway does on its own time (an audit line, a file closed,
// a node's view of the fleet): polled, so a test never hangs past its timeout and the error names
// what never came.
import { setTimeout as sleep } from 'node:timers/promises';

/** How often `eventually` probes again. */
const POLL_MS = 50;

/**
 * Probes until `probe` returns a value (anything but undefined) and resolves with it; rejects after
 * `timeoutMs` with an error naming `what`. A probe that throws ends the wait with its error.
 */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}
