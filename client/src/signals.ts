// Local signals onto the remote process, without `-t` (with it, Ctrl-C is a byte for the remote
// terminal): SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded as they are; a second Ctrl-C within
// a second means "I mean it" and asks the gateway to terminate the session.
import type { ClientMessage } from '@shellgate/shared';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
const INSIST_WITHIN_MS = 1_000;

export function forwardSignals(
  /** Sends now, or when the connection is back. */
  send: (message: ClientMessage) => void,
  say: (line: string) => void,
): () => void {
  let lastInterrupt = Number.NEGATIVE_INFINITY;
  const handlers = FORWARDED.map((signal) => {
    const handler = (): void => {
      const now = Date.now();
      if (signal === 'SIGINT' && now - lastInterrupt < INSIST_WITHIN_MS) {
        say('interrupted twice: asking the gateway to terminate the session');
        send({ type: 'terminate' });
      } else send({ type: 'signal', signal });
      if (signal === 'SIGINT') lastInterrupt = now;
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => {
    for (const remove of handlers) remove();
  };
}
