import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

import { Worker, type Job } from 'bullmq';
import { ModelRegistry } from '@openad-async/catalog';
import type { Config } from '@openad-async/config';
import {
  InferenceJob,
  toIso,
  type ServiceKind,
  type WorkerHeartbeat,
} from '@openad-async/contracts';
import type { ModelRunner } from '@openad-async/models';
import {
  Backplane,
  DeadlineReaper,
  HeartbeatPublisher,
  createRedis,
  closeRedis,
  terminalRecord,
} from '@openad-async/queue';
import type { ResultStore } from '@openad-async/results';
import type { Logger } from '@openad-async/telemetry';
import type { Redis } from 'ioredis';

import { createProcessor } from './job-processor';
import { WebhookDelivery } from './webhook-delivery';
import { MetricsServer } from './metrics/metrics-server';
import { WorkerMetrics } from './metrics/worker-metrics';

export interface WorkerServiceOptions {
  config: Config;
  logger: Logger;
  runner: ModelRunner;
  store: ResultStore;
  /** BullMQ lock and stall timings (ms); tests shorten them. */
  bull?: { lockDuration?: number; stalledInterval?: number; maxStalledCount?: number };
  /** Deadline sweep period. @defaultValue 1000 */
  reaperIntervalMs?: number;
  /**
   * This worker's metrics. Pass one when the model runtime reports load times into it (its
   * `modelLoaded` as ModelRuntimeOptions.onLoad). @defaultValue a new WorkerMetrics
   */
  metrics?: WorkerMetrics;
  /** Address of the metrics server (when `config.worker.metricsPort` is set). @defaultValue '0.0.0.0' */
  metricsHost?: string;
}

/**
 * One worker process: BullMQ workers on the configured queues, the model runner, heartbeats
 * and the deadline reaper. start() brings them up; close() stops taking jobs, lets active ones
 * finish within the grace period, then releases everything.
 */
export class WorkerService {
  readonly id: string;
  private backplane: Backplane | null = null;
  private bullConnection: Redis | null = null;
  private readonly workers = new Map<ServiceKind, Worker>();
  private heartbeat: HeartbeatPublisher | null = null;
  private reaper: DeadlineReaper | null = null;
  private webhookDelivery: WebhookDelivery | null = null;
  private metricsServer: MetricsServer | null = null;
  private port: number | null = null;
  readonly metrics: WorkerMetrics;
  private readonly startedAt = Date.now();
  /** Aborted when the shutdown grace is over: processors hand their jobs back. */
  private readonly handBack = new AbortController();
  private active = 0;

  constructor(private readonly o: WorkerServiceOptions) {
    this.id =
      o.config.worker.id ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.metrics = o.metrics ?? new WorkerMetrics();
  }

  /** Port of `/healthz` and `/metrics` once started; null when not served. */
  get metricsPort(): number | null {
    return this.port;
  }

  async start(): Promise<void> {
    const { config, logger } = this.o;
    const log = logger.child({ worker_id: this.id });
    await this.o.store.start();
    const backplane = new Backplane({
      redisUrl: config.redis.url,
      prefix: config.queue.prefix,
      store: this.o.store,
      logger: log,
      webhooks: {
        maxAttempts: config.webhooks.maxAttempts,
        backoffMs: config.webhooks.backoffSeconds * 1000,
      },
    });
    this.backplane = backplane;
    await backplane.start();
    await this.o.runner.start();
    const registry = new ModelRegistry(this.o.runner.definitions());

    this.bullConnection = createRedis({
      url: config.redis.url,
      mode: 'blocking',
      name: `openad-worker-${this.id}`,
    });
    this.bullConnection.on('error', (err) => log.warn('redis connection error', { err }));
    for (const kind of config.worker.queues) {
      const processor = createProcessor({
        kind,
        ledger: backplane.ledger,
        store: this.o.store,
        handBack: this.handBack.signal,
        runner: this.o.runner,
        registry,
        logger: log,
        observer: this.metrics,
      });
      const worker = new Worker(
        kind,
        async (job: Job, token?: string, signal?: AbortSignal) => {
          this.active += 1;
          try {
            await processor(job, token, signal);
          } finally {
            this.active -= 1;
          }
        },
        {
          connection: this.bullConnection,
          prefix: config.queue.prefix,
          concurrency: config.worker.concurrency,
          autorun: false,
          ...this.o.bull,
        },
      );
      worker.on('error', (err) => log.warn('bullmq worker error', { queue: kind, err }));
      worker.on('failed', (job, err) => void this.onFailed(kind, job, err));
      this.workers.set(kind, worker);
    }
    await backplane.cancelBus.subscribe((id) => {
      for (const worker of this.workers.values()) worker.cancelJob(id, 'canceled');
    });
    this.heartbeat = new HeartbeatPublisher({
      heartbeats: backplane.heartbeats,
      intervalSeconds: config.worker.heartbeatIntervalSeconds,
      snapshot: () => this.snapshot(),
      logger: log,
    });
    await this.heartbeat.start();
    this.reaper = new DeadlineReaper({
      tracker: backplane.tracker,
      kinds: config.worker.queues,
      intervalMs: this.o.reaperIntervalMs ?? 1000,
      logger: log,
    });
    this.reaper.start();
    this.metrics.bind({
      workerId: this.id,
      queues: [...this.workers.keys()],
      concurrency: config.worker.concurrency,
      activeJobs: () => this.active,
      modelStats: () => this.o.runner.stats(),
    });
    if (config.worker.metricsPort !== null) {
      this.metricsServer = new MetricsServer({
        metrics: this.metrics,
        port: config.worker.metricsPort,
        host: this.o.metricsHost ?? '0.0.0.0',
        logger: log,
      });
      this.port = await this.metricsServer.start();
    }
    // Callbacks of requests that ended anywhere (here, another worker, an api) go out from here.
    this.webhookDelivery = new WebhookDelivery({
      connection: this.bullConnection,
      prefix: config.queue.prefix,
      store: this.o.store,
      logger: log,
      secret: config.webhooks.secret,
      allowPrivate: config.webhooks.allowPrivate,
      timeoutMs: config.webhooks.timeoutSeconds * 1000,
    });
    this.webhookDelivery.start();
    for (const worker of this.workers.values()) void worker.run();
    log.info('worker started', {
      queues: config.worker.queues,
      concurrency: config.worker.concurrency,
    });
  }

  snapshot(): WorkerHeartbeat {
    return {
      worker_id: this.id,
      hostname: hostname(),
      pid: process.pid,
      started_at: toIso(this.startedAt),
      queues: [...this.workers.keys()],
      concurrency: this.o.config.worker.concurrency,
      active_jobs: this.active,
      models: this.o.runner.stats(),
    };
  }

  /**
   * A job BullMQ failed on its own (stalled too often after worker crashes) never reached our
   * processor's ending, so record it here: an accepted request always ends readable.
   */
  private async onFailed(kind: ServiceKind, job: Job | undefined, err: Error): Promise<void> {
    if (!job || !this.backplane) return;
    const parsed = InferenceJob.safeParse(job.data);
    if (!parsed.success) return;
    const claim = await this.backplane.ledger
      .claim(kind, parsed.data.request_id, 'failed')
      .catch(() => null);
    if (!claim?.won) return;
    this.metrics.ended(parsed.data, 'failed', null);
    this.o.logger.info('request ended', {
      request_id: parsed.data.request_id,
      service: parsed.data.service_name,
      worker_id: this.id,
      status: 'failed',
      reason: 'failed in the queue',
    });
    await this.backplane.ledger
      .store(
        terminalRecord(parsed.data, 'failed', {
          completedAt: Date.now(),
          ...(job.processedOn ? { startedAt: job.processedOn } : {}),
          error: `Request failed in the queue: ${err.message}`,
        }),
      )
      .catch((e: unknown) =>
        this.o.logger.error('could not store failed record', { request_id: job.id, err: e }),
      );
  }

  /** Stops taking jobs; active ones get `graceMs` to finish, then go back to waiting. */
  async close(graceMs = this.o.config.worker.shutdownGraceSeconds * 1000): Promise<void> {
    const log = this.o.logger.child({ worker_id: this.id });
    this.metricsServer?.markStopping();
    await this.reaper?.close();
    const closing = Promise.all([...this.workers.values()].map((w) => w.close()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      closing.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      log.warn('shutdown grace over, handing active jobs back', { grace_ms: graceMs });
      // BullMQ's close(true) after a close() only returns the first close's promise: it forces
      // nothing. The processors move their jobs back to waiting themselves and return; one
      // stuck in a store retry is left behind (its job stalls and runs again elsewhere).
      this.handBack.abort();
      await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    }
    await this.webhookDelivery?.close();
    await this.heartbeat?.close();
    await this.o.runner.close();
    await this.backplane?.close();
    if (this.bullConnection) await closeRedis(this.bullConnection);
    await this.o.store.close();
    await this.metricsServer?.close();
    this.metricsServer = null;
    log.info('worker stopped');
  }
}
