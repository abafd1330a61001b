// The gateway's Prometheus metrics, in a registry of its own (never prom-client's global one, so
// two gateways in one process, or a library user's own metrics, never mix). Names follow the
// Prometheus guide: a `shellgate_` prefix, base units, `_total` on counters, labels with few values.
//
// The relay's hot path only adds to plain numbers (`relayed`, `gapSent`); they reach the counters
// when Prometheus scrapes, so a chunk of output costs an addition and no label lookup.
import { CloseCode, ErrorCode } from '@shellgate/shared';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LOOP_DELAY_METRICS, LoopDelay } from './loop-delay.js';

/** What is counted at scrape time: the gateway's live state, read through these callbacks. */
export interface LiveState {
  /** Every session, as `state` and `mode`, and whether its child's output is paused. */
  sessions(): Iterable<{ state: string; mode: string; paused: boolean }>;
  /** Every attached WebSocket client's role. */
  clients(): Iterable<{ role: string }>;
}

export type RefusalReason = 'auth' | 'origin' | 'limits' | 'rate' | 'request';

/** The refusal reason of an error code: a handful of label values, whatever the codes become. */
export function refusalReason(code: string): RefusalReason {
  switch (code) {
    case ErrorCode.Unauthorized:
    case ErrorCode.Forbidden:
      return 'auth';
    case ErrorCode.OriginRejected:
      return 'origin';
    case ErrorCode.RateLimited:
      return 'rate';
    case ErrorCode.ClientLimit:
    case ErrorCode.SessionLimit:
    case ErrorCode.InputQueueFull:
      return 'limits';
    default:
      return 'request';
  }
}

/** Close codes worth a label of their own; any other is counted as "other". */
const KNOWN_CLOSE_CODES: ReadonlySet<number> = new Set([
  ...Object.values(CloseCode),
  /** No status received, and abnormal closure (the peer vanished): what ws reports for them. */
  1005,
  1006,
]);
/** Spawns take from under a millisecond (posix_spawn) to a second or more on a loaded host. */
const SPAWN_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class GatewayMetrics {
  readonly registry = new Registry();
  /** Output bytes sent to clients, by stream; flushed into the counter at scrape time. */
  readonly #relayed = { stdout: 0, stderr: 0 };
  readonly #refusals: Counter<'reason'>;
  readonly #closes: Counter<'code'>;
  readonly #heartbeatTimeouts: Counter;
  readonly #gaps: Counter;
  readonly #spawnSeconds: Histogram;
  readonly #spawnFailures: Counter;
  readonly #loopDelay: LoopDelay;

  constructor(live: LiveState) {
    const registers = [this.registry];
    // prom-client's defaults, but the event loop's delay from a sampler that rests while no client
    // is attached (loop-delay.ts): theirs, which never rests, gets a period it never reaches (the
    // longest a timer takes, ~24.8 days) and its gauges give way.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 2 ** 31 - 1 });
    for (const name of LOOP_DELAY_METRICS) this.registry.removeSingleMetric(name);
    this.#loopDelay = new LoopDelay(this.registry);
    // What the counter already holds, so that each scrape adds what was relayed since the last.
    const relayed = { stdout: 0, stderr: 0 };
    const source = this.#relayed;
    new Counter({
      name: 'shellgate_relayed_bytes_total',
      help: 'Output bytes sent to WebSocket clients, by stream (each client counted)',
      labelNames: ['stream'],
      registers,
      collect() {
        for (const stream of ['stdout', 'stderr'] as const) {
          this.inc({ stream }, source[stream] - relayed[stream]);
          relayed[stream] = source[stream];
        }
      },
    });
    new Gauge({
      name: 'shellgate_sessions',
      help: 'Sessions by state and mode',
      labelNames: ['state', 'mode'],
      registers,
      collect() {
        this.reset();
        for (const session of live.sessions()) this.inc({ state: session.state, mode: session.mode });
      },
    });
    new Gauge({
      name: 'shellgate_paused_children',
      help: 'Sessions whose child output is paused by flow control',
      registers,
      collect() {
        let paused = 0;
        for (const session of live.sessions()) if (session.paused) paused += 1;
        this.set(paused);
      },
    });
    new Gauge({
      name: 'shellgate_clients',
      help: 'Attached WebSocket clients by role',
      labelNames: ['role'],
      registers,
      collect() {
        const counts = { control: 0, view: 0 };
        for (const client of live.clients()) {
          if (client.role === 'control' || client.role === 'view') counts[client.role] += 1;
        }
        for (const [role, count] of Object.entries(counts)) this.set({ role }, count);
      },
    });
    this.#gaps = new Counter({
      name: 'shellgate_gaps_sent_total',
      help: 'gap messages sent to clients (output they asked for was no longer buffered)',
      registers,
    });
    this.#refusals = new Counter({
      name: 'shellgate_refusals_total',
      help: 'Requests and upgrades refused, by reason: auth, origin, limits, rate, request',
      labelNames: ['reason'],
      registers,
    });
    this.#closes = new Counter({
      name: 'shellgate_websocket_closes_total',
      help: 'WebSocket streams closed, by close code ("other" for unlisted codes)',
      labelNames: ['code'],
      registers,
    });
    this.#heartbeatTimeouts = new Counter({
      name: 'shellgate_heartbeat_timeouts_total',
      help: 'Streams closed because a ping went unanswered (4008)',
      registers,
    });
    this.#spawnSeconds = new Histogram({
      name: 'shellgate_spawn_duration_seconds',
      help: 'Time from a session request to its process running',
      buckets: SPAWN_BUCKETS_SECONDS,
      registers,
    });
    this.#spawnFailures = new Counter({
      name: 'shellgate_spawn_failures_total',
      help: 'Sessions whose process could not be started',
      registers,
    });
    // Every labelled series exists from the start, at 0: a rate() over a fresh gateway works.
    for (const reason of ['auth', 'origin', 'limits', 'rate', 'request']) this.#refusals.inc({ reason }, 0);
    for (const code of KNOWN_CLOSE_CODES) this.#closes.inc({ code: String(code) }, 0);
  }

  /** A frame of output sent to one client (hot path: one addition). */
  relayed(stream: 'stdout' | 'stderr', bytes: number): void {
    this.#relayed[stream] += bytes;
  }

  gapSent(): void {
    this.#gaps.inc();
  }

  refused(code: string): void {
    this.#refusals.inc({ reason: refusalReason(code) });
  }

  /** A stream closed with `code` (4008: a heartbeat timeout, counted on its own too). */
  closed(code: number): void {
    this.#closes.inc({ code: KNOWN_CLOSE_CODES.has(code) ? String(code) : 'other' });
    if (code === CloseCode.HeartbeatTimeout) this.#heartbeatTimeouts.inc();
  }

  spawned(seconds: number): void {
    this.#spawnSeconds.observe(seconds);
  }

  spawnFailed(): void {
    this.#spawnFailures.inc();
  }

  /** How many WebSocket clients are attached now: the event loop is sampled while any is. */
  clientsAttached(count: number): void {
    this.#loopDelay.setActive(count > 0);
  }

  /** Stops the event loop's sampler (prom-client's own collectors have no way to stop). */
  close(): void {
    this.#loopDelay.setActive(false);
  }

  /** The text exposition format, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
