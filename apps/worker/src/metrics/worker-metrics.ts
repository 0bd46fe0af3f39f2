import type { InferenceJob, ModelCacheStats, TerminalStatus } from '@openad-async/contracts';
import {
  Counter,
  Gauge,
  Histogram,
  METRIC_PREFIX,
  createRegistry,
  mirrorCounter,
  registerProcessMetrics,
  type Registry,
} from '@openad-async/telemetry';

import type { JobObserver } from '../job-processor';

const MB = 1024 * 1024;
/** Seconds a job waits in the queue: from instant to the longest request timeouts. */
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Seconds a model takes to load into its thread. */
const LOAD_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds a job runs on this worker. */
const RUN_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/** What the metrics read at scrape time from the worker that owns them. */
export interface WorkerMetricsSources {
  workerId: string;
  queues: readonly string[];
  concurrency: number;
  activeJobs(): number;
  modelStats(): ModelCacheStats;
}

/**
 * One worker's Prometheus registry. Job timings are split apart: time waiting in the queue
 * (submission → start), model loads (thread start → ready, via the runtime's onLoad hook), and
 * processing (start → end on this worker; it includes waiting for a model a job needed loaded).
 * Cache counters and gauges are read from the model runtime at scrape.
 */
export class WorkerMetrics implements JobObserver {
  readonly registry: Registry = createRegistry();
  private sources: WorkerMetricsSources | null = null;
  private readonly queueWait: Histogram<'queue' | 'priority'>;
  private readonly modelLoad: Histogram<'model'>;
  private readonly processing: Histogram<'queue' | 'service' | 'status'>;
  private readonly jobs: Counter<'queue' | 'service' | 'priority' | 'status'>;

  constructor() {
    const registers = [this.registry];
    registerProcessMetrics(this.registry);
    this.queueWait = new Histogram({
      name: `${METRIC_PREFIX}job_queue_wait_seconds`,
      help: 'Time from submission until a worker started the job',
      labelNames: ['queue', 'priority'] as const,
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.modelLoad = new Histogram({
      name: `${METRIC_PREFIX}model_load_seconds`,
      help: 'Time to load a model into its host thread',
      labelNames: ['model'] as const,
      buckets: LOAD_BUCKETS,
      registers,
    });
    this.processing = new Histogram({
      name: `${METRIC_PREFIX}job_processing_seconds`,
      help: 'Time from start to end of a job on this worker, by terminal status',
      labelNames: ['queue', 'service', 'status'] as const,
      buckets: RUN_BUCKETS,
      registers,
    });
    this.jobs = new Counter({
      name: `${METRIC_PREFIX}jobs_total`,
      help: 'Jobs this worker ended, by terminal status (including ones past their deadline before they ran)',
      labelNames: ['queue', 'service', 'priority', 'status'] as const,
      registers,
    });
    this.registerScrapeGauges();
  }

  /** Connects the scrape-time readings to the worker that owns these metrics. */
  bind(sources: WorkerMetricsSources): void {
    this.sources = sources;
  }

  /** For ModelRuntimeOptions.onLoad. */
  readonly modelLoaded = (modelId: string, seconds: number): void => {
    this.modelLoad.observe({ model: modelId }, seconds);
  };

  started(job: InferenceJob, waitedMs: number): void {
    this.queueWait.observe(
      { queue: job.kind, priority: job.priority },
      Math.max(0, waitedMs) / 1000,
    );
  }

  ended(job: InferenceJob, status: TerminalStatus, processingMs: number | null): void {
    this.jobs.inc({ queue: job.kind, service: job.service_name, priority: job.priority, status });
    if (processingMs !== null) {
      this.processing.observe(
        { queue: job.kind, service: job.service_name, status },
        Math.max(0, processingMs) / 1000,
      );
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private registerScrapeGauges(): void {
    const registers = [this.registry];
    const source = () => this.sources;
    const stats = () => source()?.modelStats() ?? null;
    const cacheCounter = (name: string, help: string, pick: (s: ModelCacheStats) => number) =>
      new Counter({
        name: `${METRIC_PREFIX}${name}`,
        help,
        registers,
        collect() {
          const s = stats();
          if (s) mirrorCounter(this, [[{}, pick(s)]]);
        },
      });
    cacheCounter(
      'model_cache_hits_total',
      'Model acquisitions that found the model loaded',
      (s) => s.hits,
    );
    cacheCounter(
      'model_cache_misses_total',
      'Model acquisitions that had to load (or wait for a load)',
      (s) => s.misses,
    );
    cacheCounter('model_cache_evictions_total', 'Models unloaded to make room', (s) => s.evictions);
    cacheCounter('model_load_failures_total', 'Model loads that failed', (s) => s.load_failures);
    new Gauge({
      name: `${METRIC_PREFIX}models_loaded`,
      help: 'Models loaded (state="loaded") or loading (state="loading") in this worker',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const s = stats();
        if (!s) return;
        this.set({ state: 'loaded' }, s.loaded_models);
        this.set({ state: 'loading' }, s.loading_models);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}models_loaded_bytes`,
      help: 'Memory of the loaded models (measured after load, else declared)',
      registers,
      collect() {
        const s = stats();
        if (s) this.set(Math.round(s.total_memory_mb * MB));
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}worker_active_jobs`,
      help: 'Jobs this worker is running',
      registers,
      collect() {
        const s = source();
        if (s) this.set(s.activeJobs());
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}worker_info`,
      help: 'Constant 1, labelled with the worker id (as in its logs), its queues and concurrency',
      labelNames: ['worker_id', 'queues', 'concurrency'] as const,
      registers,
      collect() {
        const s = source();
        this.reset();
        if (s) {
          this.set(
            {
              worker_id: s.workerId,
              queues: s.queues.join(','),
              concurrency: String(s.concurrency),
            },
            1,
          );
        }
      },
    });
  }
}
