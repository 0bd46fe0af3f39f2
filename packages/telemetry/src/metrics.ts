import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

import { Counter, Gauge, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric of this service starts with it, per Prometheus naming conventions. */
export const METRIC_PREFIX = 'openad_async_';

/**
 * A registry of its own per server: tests run several apis and workers in one process, and
 * prom-client's global default registry would mix (or reject) their metrics.
 */
export function createRegistry(): Registry {
  return new Registry();
}

/**
 * Sets a counter to values kept elsewhere (Redis counts, a model cache's totals), at scrape.
 * The source only grows, so the exposed series stays a valid counter.
 */
export function mirrorCounter<L extends string>(
  counter: Counter<L>,
  values: ReadonlyArray<readonly [Partial<Record<L, string>>, number]>,
): void {
  counter.reset();
  for (const [labels, value] of values) counter.inc(labels, Math.max(0, value));
}

/** Resident memory, heap and CPU time of this process, read at scrape (no timers). */
export function registerProcessMetrics(registry: Registry): void {
  new Gauge({
    name: `${METRIC_PREFIX}process_resident_memory_bytes`,
    help: 'Resident set size of this process',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}process_heap_used_bytes`,
    help: 'V8 heap in use by the main thread',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Counter({
    name: `${METRIC_PREFIX}process_cpu_seconds_total`,
    help: 'User and system CPU time of this process',
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
}

export interface EventLoopLagOptions {
  registry: Registry;
  /** Sampling resolution of the delay monitor, ms. @defaultValue 20 */
  resolutionMs?: number;
}

/**
 * `openad_async_event_loop_lag_seconds{stat="mean|p50|p99|max"}`: how late the event loop ran
 * timers since the previous scrape (each scrape resets the window). A lagging loop delays
 * BullMQ lock renewals and HTTP answers alike, so it is worth watching on both apps.
 * Owns a delay monitor: start() and close().
 */
export class EventLoopLagMonitor {
  private histogram: IntervalHistogram | null = null;

  constructor(private readonly o: EventLoopLagOptions) {
    const monitor = () => this.histogram;
    new Gauge({
      name: `${METRIC_PREFIX}event_loop_lag_seconds`,
      help: 'Event loop delay since the previous scrape',
      labelNames: ['stat'] as const,
      registers: [o.registry],
      collect() {
        const h = monitor();
        if (!h) return;
        // With no sample yet the histogram reports min/max as sentinels; report zeros then.
        const sampled = h.count > 0;
        const s = (ns: number) => (sampled ? ns / 1e9 : 0);
        this.set({ stat: 'mean' }, s(h.mean));
        this.set({ stat: 'p50' }, s(h.percentile(50)));
        this.set({ stat: 'p99' }, s(h.percentile(99)));
        this.set({ stat: 'max' }, s(h.max));
        h.reset();
      },
    });
  }

  start(): void {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: this.o.resolutionMs ?? 20 });
    this.histogram.enable();
  }

  close(): void {
    this.histogram?.disable();
    this.histogram = null;
  }
}
