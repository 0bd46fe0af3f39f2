import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import { loadConfig, type Config } from '@openad-async/config';
import { loadModelModules, ModelRuntime } from '@openad-async/models';
import { Backplane } from '@openad-async/queue';
import { FsResultStore } from '@openad-async/results';
import { silentLogger, type Logger } from '@openad-async/telemetry';

import { ApiServer } from '../../apps/api/src/api-server';
import { WorkerMetrics } from '../../apps/worker/src/metrics/worker-metrics';
import { WorkerService } from '../../apps/worker/src/worker-service';

/** Plain-JS test models (threads load JavaScript): see test/fixtures/pipeline-models.js. */
export const PIPELINE_MODELS = join(__dirname, '..', 'fixtures', 'pipeline-models.js');

export interface StackOptions {
  /** Extra OPENAD_ASYNC_* variables. */
  env?: Record<string, string>;
  /** Model modules the api and workers load. @defaultValue [PIPELINE_MODELS] */
  modules?: readonly string[];
  /** Where the apis and workers log (tests that check log lines). @defaultValue silentLogger */
  logger?: Logger;
}

/**
 * A real api (HTTP on a free port) and real workers on real Redis, isolated by a unique queue
 * prefix and a temp results directory. Everything it starts, close() stops.
 */
export class TestStack {
  readonly prefix = `t${randomBytes(5).toString('hex')}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'openad-test-'));
  readonly config: Config;
  private readonly apis: ApiServer[] = [];
  private readonly workers: WorkerService[] = [];
  private readonly backplanes: Backplane[] = [];
  urls: string[] = [];

  constructor(private readonly options: StackOptions = {}) {
    this.config = loadConfig({
      OPENAD_ASYNC_QUEUE_PREFIX: this.prefix,
      OPENAD_ASYNC_RESULT_DIR: this.dir,
      OPENAD_ASYNC_HEARTBEAT_INTERVAL_SECONDS: '0.5',
      PORT: '0',
      ...options.env,
    });
  }

  get modules(): readonly string[] {
    return this.options.modules ?? [PIPELINE_MODELS];
  }

  get url(): string {
    return this.urls[0]!;
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  /** The index-th api started (tests that need its Express app). */
  api(index = 0): ApiServer {
    const api = this.apis[index];
    if (!api) throw new Error(`no api #${index} started`);
    return api;
  }

  store(): FsResultStore {
    return new FsResultStore(
      { dir: this.dir, ttlHours: this.config.results.ttlHours },
      silentLogger,
    );
  }

  async startApi(): Promise<string> {
    const models = (await loadModelModules(this.modules)).flatMap((m) => m.definitions);
    const api = new ApiServer({
      config: this.config,
      logger: this.logger,
      store: this.store(),
      models,
      host: '127.0.0.1',
    });
    this.apis.push(api);
    const { port } = await api.start();
    const url = `http://127.0.0.1:${port}`;
    this.urls.push(url);
    return url;
  }

  async stopApi(index: number): Promise<void> {
    await this.apis[index]?.close();
  }

  /**
   * A worker; `overrides` change its worker config (e.g. `{ metricsPort: 0 }` serves /metrics
   * and /healthz on a free port: see `WorkerService.metricsPort`).
   */
  async startWorker(overrides: Partial<Config['worker']> = {}): Promise<WorkerService> {
    const config = { ...this.config, worker: { ...this.config.worker, ...overrides } };
    const metrics = new WorkerMetrics();
    const worker = new WorkerService({
      config,
      logger: this.logger,
      metrics,
      metricsHost: '127.0.0.1',
      runner: new ModelRuntime({
        modules: this.modules,
        maxModels: config.models.maxModels,
        maxMemoryMb: config.models.maxMemoryMb,
        memoryHeadroomMb: 0,
        evictionStrategy: config.models.evictionStrategy,
        abortGraceMs: 300,
        logger: this.logger,
        onLoad: metrics.modelLoaded,
      }),
      store: this.store(),
      reaperIntervalMs: 200,
    });
    this.workers.push(worker);
    await worker.start();
    return worker;
  }

  /** Direct access to the shared state, for assertions. */
  async backplane(): Promise<Backplane> {
    const b = new Backplane({
      redisUrl: this.config.redis.url,
      prefix: this.prefix,
      store: this.store(),
      logger: silentLogger,
    });
    this.backplanes.push(b);
    await b.start();
    return b;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(2000)));
    await Promise.all(this.apis.map((a) => a.close()));
    await Promise.all(this.backplanes.map((b) => b.close()));
    const b = new Backplane({
      redisUrl: this.config.redis.url,
      prefix: this.prefix,
      store: this.store(),
      logger: silentLogger,
    });
    await b.start();
    const keys = await b.redis.keys(`${this.prefix}:*`);
    if (keys.length) await b.redis.del(...keys);
    await b.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function http(
  url: string,
  init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.raw !== undefined
      ? { body: init.raw }
      : init.body !== undefined
        ? { body: JSON.stringify(init.body) }
        : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // text bodies (GET /health) stay text
  }
  return { status: res.status, body, headers: res.headers };
}

export async function until<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 10000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end)
      throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
