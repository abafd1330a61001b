// The client's timing policy, in one place.

/** Reconnect backoff: the n-th retry waits up to min(maxMs, baseMs·2ⁿ), jittered down to half. */
export const RECONNECT = { baseMs: 250, maxMs: 5_000 } as const;

/**
 * Ack at once when this much has been processed since the last ack; else after ACK_DELAY_MS. A
 * gateway that announces its window (`hello.window`) is acked a quarter of it at a time instead,
 * up to MAX_ACK_BYTES: fewer acks cost both sides less, and three quarters stay in flight.
 */
export const ACK_BYTES = 64 * 1024;
export const MAX_ACK_BYTES = 256 * 1024;
export const ACK_DELAY_MS = 25;
