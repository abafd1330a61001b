// The event loop's delay, sampled only while a client is connected to feel it.
//
// prom-client's default metrics sample it every 10 ms (perf_hooks' monitorEventLoopDelay) for the
// process's whole life: an idle gateway woke 100 times a second for it alone, 4.8 ms of CPU a second
// against 0.2 for everything else it does when idle (2026-12-08; docs/operations.md, "Metrics").
// These are the same seven gauges with the same meaning — the time between two samples 10 ms apart,
// so a loop that is never late reads 0.010 s — but their sampler runs only while a WebSocket client
// is attached (`setActive`, from the gateway's connections). It cannot follow the loop's own
// utilization instead: its 100 wake-ups a second are themselves ~1% of it.
import { createHistogram, performance } from 'node:perf_hooks';
import type { RecordableHistogram } from 'node:perf_hooks';
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** prom-client's default resolution, and so the meaning of its gauges. */
const SAMPLE_MS = 10;
const NS_PER_MS = 1e6;

const GAUGES = {
  min: ['nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.'],
  max: ['nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.'],
  mean: ['nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.'],
  stddev: [
    'nodejs_eventloop_lag_stddev_seconds',
    'The standard deviation of the recorded event loop delays.',
  ],
  p50: ['nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.'],
  p90: ['nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.'],
  p99: ['nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.'],
} as const;

/** The names prom-client's defaults use for these gauges: the registry must drop its own first. */
export const LOOP_DELAY_METRICS: readonly string[] = Object.values(GAUGES).map(([name]) => name);

export class LoopDelay {
  readonly #histogram: RecordableHistogram = createHistogram();
  #sampler: NodeJS.Timeout | undefined;
  /** When the sampler last ran (performance.now()), or undefined before its first run. */
  #sampled: number | undefined;

  constructor(registry: Registry) {
    const histogram = this.#histogram;
    const seconds = (ns: number): number => (histogram.count === 0 ? 0 : ns / 1e9);
    // One collect sets all seven, then starts the next interval, as prom-client's does. With no
    // sample in the interval (nobody attached throughout) each reads 0.
    const collect = (): void => {
      gauges.min.set(seconds(histogram.min));
      gauges.max.set(seconds(histogram.max));
      gauges.mean.set(seconds(histogram.mean));
      gauges.stddev.set(seconds(histogram.stddev));
      gauges.p50.set(seconds(histogram.percentile(50)));
      gauges.p90.set(seconds(histogram.percentile(90)));
      gauges.p99.set(seconds(histogram.percentile(99)));
      histogram.reset();
    };
    const gauge = ([name, help]: readonly [string, string], withCollect = false): Gauge =>
      new Gauge({ name, help, registers: [registry], ...(withCollect ? { collect } : {}) });
    const gauges = {
      min: gauge(GAUGES.min, true),
      max: gauge(GAUGES.max),
      mean: gauge(GAUGES.mean),
      stddev: gauge(GAUGES.stddev),
      p50: gauge(GAUGES.p50),
      p90: gauge(GAUGES.p90),
      p99: gauge(GAUGES.p99),
    };
  }

  /** Samples from now on while `active`, not at all while not. */
  setActive(active: boolean): void {
    if (active && this.#sampler === undefined) {
      this.#sampled = undefined;
      this.#sampler = setInterval(() => this.#sample(), SAMPLE_MS).unref();
    } else if (!active && this.#sampler !== undefined) {
      clearInterval(this.#sampler);
      this.#sampler = undefined;
    }
  }

  #sample(): void {
    const now = performance.now();
    if (this.#sampled !== undefined) {
      this.#histogram.record(Math.max(1, Math.round((now - this.#sampled) * NS_PER_MS)));
    }
    this.#sampled = now;
  }
}
