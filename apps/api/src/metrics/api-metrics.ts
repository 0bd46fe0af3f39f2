import {
  PRIORITY_NAMES,
  SERVICE_KINDS,
  TERMINAL_STATUSES,
  type ServiceKind,
} from '@openad-async/contracts';
import { queueDepth, type Backplane } from '@openad-async/queue';
import {
  Counter,
  EventLoopLagMonitor,
  Gauge,
  Histogram,
  METRIC_PREFIX,
  createRegistry,
  mirrorCounter,
  registerProcessMetrics,
  type Logger,
  type Registry,
} from '@openad-async/telemetry';

/** How a submission ended at the api (what happened to it later is in the worker's metrics). */
export type SubmissionOutcome = 'accepted' | 'rejected' | 'queue_full';

/** What the POST /service route reports; kept small so handlers need no metrics types. */
export interface SubmissionObserver {
  submitted(
    service: string | undefined,
    priority: string | undefined,
    outcome: SubmissionOutcome,
  ): void;
}

/** Seconds; sync requests may hold a connection up to OPENAD_ASYNC_SYNC_WAIT_SECONDS (300). */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface ApiMetricsOptions {
  backplane: Backplane;
  /** Service names the catalog knows; anything else is labelled `unknown` (bounded labels). */
  serviceNames: readonly string[];
  logger: Logger;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * The api's Prometheus registry. Queue gauges are computed from Redis at scrape time (every
 * replica reports the same shared values: aggregate with `max by`), request counters and the
 * latency histogram count this replica's traffic (aggregate with `sum`).
 * Owns an event-loop delay monitor: start() and close().
 */
export class ApiMetrics implements SubmissionObserver {
  readonly registry: Registry = createRegistry();
  private readonly services: ReadonlySet<string>;
  private readonly now: () => number;
  private readonly lag: EventLoopLagMonitor;
  private readonly requests: Counter<'service' | 'priority' | 'outcome'>;
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly depth: Gauge<'queue' | 'priority'>;
  private readonly oldest: Gauge<'queue'>;
  private readonly active: Gauge<'queue'>;
  private readonly finished: Counter<'queue' | 'status'>;
  private readonly redisUp: Gauge;

  constructor(private readonly o: ApiMetricsOptions) {
    const registers = [this.registry];
    this.services = new Set(o.serviceNames);
    this.now = o.now ?? Date.now;
    registerProcessMetrics(this.registry);
    this.lag = new EventLoopLagMonitor({ registry: this.registry });
    this.requests = new Counter({
      name: `${METRIC_PREFIX}requests_total`,
      help: 'Submissions to POST /service by service, priority and outcome (accepted, rejected, queue_full)',
      labelNames: ['service', 'priority', 'outcome'] as const,
      registers,
    });
    this.http = new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'HTTP answer time by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.depth = new Gauge({
      name: `${METRIC_PREFIX}queue_depth`,
      help: 'Pending jobs (waiting + prioritized + delayed) per queue and priority; the worker autoscaling signal',
      labelNames: ['queue', 'priority'] as const,
      registers,
    });
    this.oldest = new Gauge({
      name: `${METRIC_PREFIX}queue_oldest_pending_age_seconds`,
      help: 'Age of the oldest pending job per queue; 0 when none is pending',
      labelNames: ['queue'] as const,
      registers,
    });
    this.active = new Gauge({
      name: `${METRIC_PREFIX}queue_active_jobs`,
      help: 'Jobs being processed per queue',
      labelNames: ['queue'] as const,
      registers,
    });
    this.finished = new Counter({
      name: `${METRIC_PREFIX}requests_finished_total`,
      help: 'Requests that reached a terminal status, per queue (shared count kept in Redis)',
      labelNames: ['queue', 'status'] as const,
      registers,
    });
    this.redisUp = new Gauge({
      name: `${METRIC_PREFIX}redis_up`,
      help: 'Whether the last scrape could read the queues from Redis (1) or not (0)',
      registers,
    });
  }

  start(): void {
    this.lag.start();
  }

  close(): void {
    this.lag.close();
  }

  submitted(
    service: string | undefined,
    priority: string | undefined,
    outcome: SubmissionOutcome,
  ): void {
    this.requests.inc({
      service: service !== undefined && this.services.has(service) ? service : 'unknown',
      priority:
        priority !== undefined && (PRIORITY_NAMES as readonly string[]).includes(priority)
          ? priority
          : 'unknown',
      outcome,
    });
  }

  observeHttp(method: string, route: string, status: string, seconds: number): void {
    this.http.observe({ method, route, status }, seconds);
  }

  /** The exposition text, with the queue gauges read from Redis first. */
  async render(): Promise<{ contentType: string; body: string }> {
    await this.refreshQueues();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private async refreshQueues(): Promise<void> {
    const { backplane } = this.o;
    try {
      const per = await Promise.all(
        SERVICE_KINDS.map(async (kind: ServiceKind) => ({
          kind,
          depth: await queueDepth(backplane.redis, backplane.queues.queues[kind]),
          counts: await backplane.redis.hgetall(backplane.keys.statusCounts(kind)),
        })),
      );
      const now = this.now();
      for (const { kind, depth } of per) {
        for (const p of PRIORITY_NAMES)
          this.depth.set({ queue: kind, priority: p }, depth.pending[p]);
        this.oldest.set(
          { queue: kind },
          depth.oldestPendingAt === null ? 0 : Math.max(0, now - depth.oldestPendingAt) / 1000,
        );
        this.active.set({ queue: kind }, depth.active);
      }
      mirrorCounter(
        this.finished,
        per.flatMap(({ kind, counts }) =>
          TERMINAL_STATUSES.map(
            (status) =>
              [{ queue: kind, status }, Number.parseInt(counts[status] ?? '0', 10) || 0] as const,
          ),
        ),
      );
      this.redisUp.set(1);
    } catch (err) {
      // Stale numbers would mislead the autoscaler: drop the series until Redis answers again.
      this.depth.reset();
      this.oldest.reset();
      this.active.reset();
      this.redisUp.set(0);
      this.o.logger.warn('metrics could not read the queues', { err });
    }
  }
}
