// A fresh Node process runs the relay path in V8's interpreter until that code has run thousands of
// times, and recompiles it whenever it meets objects or callbacks it was not optimized for: a fresh
// gateway's first session echoed with a p99 of ~2 ms (~0.3 ms later on) and relayed at twice the
// CPU per MiB (docs/benchmarks.md, "Warm-up"). Node 20 cannot keep optimized code from one start to
// the next, so before the gateway listens it runs that path itself, on throwaway gateways on
// loopback: the same limits, environment and containment, a one-time token and profiles of its
// own, nothing audited, recorded or counted. A client in this process echoes through `cat` (POST
// then stream, as the browser opens sessions), floods through `head` (the exec upgrade, as
// `shellgate exec` does) and types into `cat` on a terminal. V8 keeps optimized code per function,
// not per object, so the gateway created next starts with it. A failure is reported and start-up
// goes on cold: warming up is never a reason not to serve.
import { randomBytes } from 'node:crypto';
import { execUrl, streamUrl } from '@shellgate/shared';
import type { GatewayConfig } from '../config/load.js';
import { createGateway } from '../gateway.js';
import { createLogger } from '../log/logger.js';
import type { LogLevel } from '../log/logger.js';
import { ClientStream, createSession } from './client.js';
import { WARMUP_WORK } from './work.js';

export { WarmupError } from './client.js';
export { WARMUP_WORK } from './work.js';

const ECHO = Buffer.alloc(32, 'w');
const KEYSTROKE = Buffer.from('k\r');
/** What a keystroke brings back: the terminal's echo `k\r\n`, then cat's line `k\r\n`. */
const KEYSTROKE_REPLY_BYTES = 6;
const LOOPBACK = '127.0.0.1';

export interface WarmupReport {
  ms: number;
  echoes: number;
  relayedBytes: number;
  keystrokes: number;
  /** Set when the deadline or an abort cut it short. */
  cut: boolean;
}

/** A throwaway gateway's configuration: the operator's limits, environment and containment. */
function warmupConfig(config: GatewayConfig, token: string): GatewayConfig {
  const quiet: LogLevel =
    config.log.level === 'debug' || config.log.level === 'info' ? 'warn' : config.log.level;
  return {
    ...config,
    host: LOOPBACK,
    port: 0,
    tokens: [{ name: 'warmup', token, role: 'operator' }],
    generatedToken: undefined,
    profiles: {
      echo: { argv: ['cat'], mode: 'pipe', allowArgs: false, screen: false, record: false },
      flood: {
        argv: ['head', '-c', String(WARMUP_WORK.floodBytes), '/dev/zero'],
        mode: 'pipe',
        allowArgs: false,
        screen: false,
        record: false,
      },
      // With the screen, as terminal profiles have it by default.
      terminal: { argv: ['cat'], mode: 'pty', allowArgs: false, screen: true, record: false },
    },
    allowedOrigins: [],
    allowedHosts: [],
    tls: undefined,
    log: { level: quiet },
    basePath: '',
    trustedProxies: [],
    auth: {},
    metrics: { ...config.metrics, enabled: false, listen: undefined },
    // Nothing is recorded, and the recordings' directory is left to the real gateway's retention.
    recording: { ...config.recording, enabled: false, dir: undefined },
    fleet: undefined,
  };
}

/**
 * Runs the relay path on throwaway gateways until the work is done, `deadlineMs` has passed or
 * `signal` aborts. Rejects (WarmupError or the cause) when it
 * could not run at all.
 */
export async function warmUp(
  config: GatewayConfig,
  { deadlineMs, signal }: { deadlineMs: number; signal?: AbortSignal },
): Promise<WarmupReport> {
  const started = performance.now();
  const report: WarmupReport = { ms: 0, echoes: 0, relayedBytes: 0, keystrokes: 0, cut: false };
  const going = (): boolean => {
    report.cut = signal?.aborted === true || performance.now() - started >= deadlineMs;
    return !report.cut;
  };
  const open = new Set<ClientStream>();
  // Cut short: closing the streams lets the throwaway gateway's close end their sessions.
  const abort = (): void => {
    for (const stream of open) stream.ws.terminate();
  };
  signal?.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(abort, deadlineMs);
  try {
    for (let instance = 0; instance < WARMUP_WORK.gateways && going(); instance += 1) {
      await onThrowawayGateway(config, async (url, token) => {
        const exercise = async (
          profile: string,
          via: 'post' | 'exec',
          drive: (stream: ClientStream) => Promise<void>,
        ): Promise<void> => {
          if (!going()) return;
          const streamAt =
            via === 'exec'
              ? execUrl(url, { profile, cols: 80, rows: 24 })
              : streamUrl(url, await createSession(url, token, profile), { offset: 0 });
          const stream = await ClientStream.open(streamAt, token);
          open.add(stream);
          try {
            await drive(stream);
            await stream.ended;
          } finally {
            open.delete(stream);
          }
        };
        for (let session = 0; session < WARMUP_WORK.sessions; session += 1) {
          await exercise('echo', 'post', async (stream) => {
            for (let echo = 0; echo < WARMUP_WORK.echoes && going(); echo += 1) {
              await stream.roundTrip(ECHO, ECHO.length);
              report.echoes += 1;
            }
            stream.closeStdin();
          });
          await exercise('flood', 'exec', async (stream) => {
            await stream.until(WARMUP_WORK.floodBytes);
            report.relayedBytes += stream.received;
          });
          await exercise('terminal', 'post', async (stream) => {
            for (let key = 0; key < WARMUP_WORK.keystrokes && going(); key += 1) {
              await stream.roundTrip(KEYSTROKE, KEYSTROKE_REPLY_BYTES);
              report.keystrokes += 1;
            }
            stream.closeStdin();
          });
        }
      }).finally(abort);
    }
  } catch (error) {
    if (going()) throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
  // What the warm-up allocated is left to V8's own collections. Forcing one here (global.gc) was
  // measured: it threw the optimized code away with the throwaway gateways' objects it was
  // specialized on, and the first session was as slow as on a cold gateway.
  report.ms = Math.round(performance.now() - started);
  return report;
}

/** Starts a throwaway gateway for `config`, runs `use` against it, and closes it whatever happens. */
async function onThrowawayGateway(
  config: GatewayConfig,
  use: (url: string, token: string) => Promise<void>,
): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const throwaway = warmupConfig(config, token);
  const gateway = createGateway(throwaway, { logger: createLogger(throwaway.log.level) });
  try {
    const { url } = await gateway.listen();
    await use(url, token);
  } finally {
    await gateway.close();
  }
}
