// A fresh Node process runs the relay path in V8's interpreter until that code has run thousands of
// times, and recompiles it whenever it meets objects or callbacks it was not optimized for: on the
// peer harness a fresh gateway's first session echoed with a p99 of 1.2–1.6 ms (0.4 ms warmed) at
// 112–124 µs of CPU per echo (74–76 warmed), and relayed at 2.1 ms of CPU per MiB (1.5 warmed;
// docs/benchmarks.md, "Warm-up"). Node 20 cannot keep optimized code from one start to the next,
// so before the gateway listens it runs that path itself, on throwaway gateways on
// loopback: the same limits, environment and containment, a one-time token and profiles of its
// own, nothing audited, recorded or counted. A client in this process echoes through `cat` (POST
// then stream, as the browser opens sessions), floods through `head` (the exec upgrade, as
// `shellgate exec` does) and types into `cat` on a terminal. V8 keeps optimized code per function,
// and once two gateways' sessions have run it, it is optimized for any gateway's (work.ts): the
// gateway created next starts with it. A failure is reported and start-up goes on cold: warming
// up is never a reason not to serve. It is off unless `warmup` is set: what it compiles lasts only
// until V8's first full collection frees the throwaway gateways' objects (docs/operations.md,
// "Warm-up"), about 30 s into an idle gateway's life.
import { randomBytes } from 'node:crypto';
import { execUrl, streamUrl } from '@shellgate/shared';
import type { GatewayConfig } from '../config/load.js';
import { createGateway } from '../gateway.js';
import { createLogger } from '../log/logger.js';
import type { LogLevel } from '../log/logger.js';
import { ClientStream, createSession } from './client.js';
import { WARMUP_WORK } from './work.js';

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

/** A throwaway gateway, as the warm-up's client reaches it. */
interface Target {
  url: string;
  token: string;
}

/**
 * Runs the relay path on throwaway gateways until the work is done, `deadlineMs` has passed or
 * `signal` aborts. Rejects (WarmupError or the cause) when it could not run at all.
 */
export async function warmUp(
  config: GatewayConfig,
  { deadlineMs, signal }: { deadlineMs: number; signal?: AbortSignal },
): Promise<WarmupReport> {
  const run = new WarmupRun(deadlineMs, signal);
  try {
    for (let instance = 0; instance < WARMUP_WORK.gateways && run.going(); instance += 1) {
      await onThrowawayGateway(config, (target) => run.sessions(target));
    }
  } catch (error) {
    if (run.going()) throw error;
  } finally {
    run.end();
  }
  // What the warm-up allocated is left to V8's own collections. Forcing one here (global.gc) was
  // measured: it threw the optimized code away with the throwaway gateways' objects it was
  // specialized on, and the first session was as slow as on a cold gateway.
  return run.report;
}

/** One warm-up: its figures, its deadline, and the streams to cut when it is cut short. */
class WarmupRun {
  readonly report: WarmupReport = { ms: 0, echoes: 0, relayedBytes: 0, keystrokes: 0, cut: false };
  readonly #started = performance.now();
  readonly #open = new Set<ClientStream>();
  readonly #timer: NodeJS.Timeout;
  /** Closing the streams lets a throwaway gateway's close end their sessions. */
  readonly #abort = (): void => {
    for (const stream of this.#open) stream.ws.terminate();
  };

  constructor(
    private readonly deadlineMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this.#abort, { once: true });
    this.#timer = setTimeout(this.#abort, deadlineMs);
  }

  going(): boolean {
    this.report.cut = this.signal?.aborted === true || performance.now() - this.#started >= this.deadlineMs;
    return !this.report.cut;
  }

  /** Each kind of session, WARMUP_WORK.sessions times, on one throwaway gateway. */
  async sessions(target: Target): Promise<void> {
    try {
      for (let session = 0; session < WARMUP_WORK.sessions; session += 1) {
        await this.#exercise(target, 'echo', 'post', async (stream) => {
          for (let echo = 0; echo < WARMUP_WORK.echoes && this.going(); echo += 1) {
            await stream.roundTrip(ECHO, ECHO.length);
            this.report.echoes += 1;
          }
          stream.closeStdin();
        });
        await this.#exercise(target, 'flood', 'exec', async (stream) => {
          await stream.until(WARMUP_WORK.floodBytes);
          this.report.relayedBytes += stream.received;
        });
        await this.#exercise(target, 'terminal', 'post', async (stream) => {
          for (let key = 0; key < WARMUP_WORK.keystrokes && this.going(); key += 1) {
            await stream.roundTrip(KEYSTROKE, KEYSTROKE_REPLY_BYTES);
            this.report.keystrokes += 1;
          }
          stream.closeStdin();
        });
      }
    } finally {
      this.#abort();
    }
  }

  end(): void {
    clearTimeout(this.#timer);
    this.signal?.removeEventListener('abort', this.#abort);
    this.#abort();
    this.report.ms = Math.round(performance.now() - this.#started);
  }

  /** Opens a session of `profile` the way `via` says clients do, and drives it until it ends. */
  async #exercise(
    { url, token }: Target,
    profile: string,
    via: 'post' | 'exec',
    drive: (stream: ClientStream) => Promise<void>,
  ): Promise<void> {
    if (!this.going()) return;
    const streamAt =
      via === 'exec'
        ? execUrl(url, { profile, cols: 80, rows: 24 })
        : streamUrl(url, await createSession(url, token, profile), { offset: 0 });
    const stream = await ClientStream.open(streamAt, token);
    this.#open.add(stream);
    try {
      await drive(stream);
      await stream.ended;
    } finally {
      this.#open.delete(stream);
    }
  }
}

/** Starts a throwaway gateway for `config`, runs `use` against it, and closes it whatever happens. */
async function onThrowawayGateway(
  config: GatewayConfig,
  use: (target: Target) => Promise<void>,
): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const throwaway = warmupConfig(config, token);
  const gateway = createGateway(throwaway, { logger: createLogger(throwaway.log.level) });
  try {
    const { url } = await gateway.listen();
    await use({ url, token });
  } finally {
    await gateway.close();
  }
}
