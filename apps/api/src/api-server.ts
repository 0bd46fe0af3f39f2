import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Express } from 'express';
import { ModelRegistry } from '@openad-async/catalog';
import type { Config } from '@openad-async/config';
import type { ModelDefinition } from '@openad-async/models';
import { Backplane, DeadlineReaper, StatusEventHub } from '@openad-async/queue';
import type { ResultStore } from '@openad-async/results';
import type { Logger } from '@openad-async/telemetry';

import { createApp } from './app';
import { answerClientErrors } from './http/error-handler';
import { ApiMetrics } from './metrics/api-metrics';
import { DoneWaiter } from './services/done-waiter';

/** Idle keep-alive connections stay open this long: longer than any balancer in front. */
const KEEP_ALIVE_MS = 65_000;

export interface ApiServerOptions {
  config: Config;
  logger: Logger;
  store: ResultStore;
  /** The models whose services the api accepts (built-ins and plugins). */
  models: readonly ModelDefinition[];
  /** Listen address. @defaultValue '0.0.0.0' */
  host?: string;
}

/** Owns the HTTP server and everything it talks through; start/close. */
export class ApiServer {
  private backplane: Backplane | null = null;
  private waiter: DoneWaiter | null = null;
  private reaper: DeadlineReaper | null = null;
  private events: StatusEventHub | null = null;
  private metrics: ApiMetrics | null = null;
  private server: Server | null = null;
  private app: Express | null = null;

  constructor(private readonly o: ApiServerOptions) {}

  async start(): Promise<{ port: number }> {
    const { config, logger, store } = this.o;
    const registry = new ModelRegistry(this.o.models);
    await store.start();
    this.backplane = new Backplane({
      redisUrl: config.redis.url,
      prefix: config.queue.prefix,
      store,
      logger,
      recordCacheBytes: Math.round(config.api.recordCacheMb * 1024 * 1024),
      webhooks: {
        maxAttempts: config.webhooks.maxAttempts,
        backoffMs: config.webhooks.backoffSeconds * 1000,
      },
    });
    await this.backplane.start();
    this.waiter = new DoneWaiter({ backplane: this.backplane, logger });
    this.events = new StatusEventHub({
      redisUrl: config.redis.url,
      queues: this.backplane.queues,
      redis: this.backplane.redis,
      logger,
    });
    await this.waiter.start();
    this.reaper = new DeadlineReaper({
      tracker: this.backplane.tracker,
      kinds: ['property', 'generation'],
      logger,
    });
    this.reaper.start();
    const backplane = this.backplane;
    this.metrics = new ApiMetrics({
      backplane,
      serviceNames: registry.serviceDefinitions().map((d) => d.service_name),
      logger,
    });
    this.metrics.start();
    warnAboutOpenAccess(config, logger);
    const app = createApp({
      config,
      logger,
      registry,
      backplane,
      waiter: this.waiter,
      events: this.events,
      metrics: this.metrics,
      probes: [
        { name: 'redis', check: () => backplane.ping() },
        { name: 'result_store', check: () => store.ping() },
      ],
    });
    this.app = app;
    const server = app.listen(config.api.port, this.o.host ?? '0.0.0.0');
    answerClientErrors(server);
    // A load balancer reuses idle upstream connections for up to its own idle timeout (nginx's
    // upstream keepalive and AWS ALB: 60 s). Node's 5 s default closes them first, and a request
    // the balancer sends as we close fails as a 502 (not retried for POST). Outlive it.
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.headersTimeout = KEEP_ALIVE_MS + 1000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const port = (server.address() as AddressInfo).port;
    logger.info('api listening', { port });
    return { port };
  }

  async close(): Promise<void> {
    const server = this.server;
    const closed = server
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    // Sync waiters answer 504 with their request_id (the job goes on), freeing connections.
    await this.waiter?.close();
    // Open event streams end now, so their connections do not hold the server open.
    await this.events?.close();
    if (server) {
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
    }
    await this.reaper?.close();
    this.metrics?.close();
    await this.backplane?.close();
    await this.o.store.close();
  }

  /** The Express app once started (tests walk its routes). */
  get expressApp(): Express | null {
    return this.app;
  }
}

/** Open access is allowed (development), but never silently. */
function warnAboutOpenAccess(config: Config, logger: Logger): void {
  const { apiKeys, adminKeys, dashboardReadonly } = config.api;
  if (apiKeys.length === 0) {
    logger.warn('auth disabled: OPENAD_ASYNC_API_KEYS is empty, so every route is open', {
      admin_keys: adminKeys.length > 0,
    });
  }
  if (apiKeys.length === 0 && adminKeys.length === 0) {
    logger.warn('the queue dashboard at /admin/queues is open to anyone', {
      dashboard_readonly: dashboardReadonly,
    });
  } else if (adminKeys.length === 0) {
    logger.info('the queue dashboard is closed: set OPENAD_ASYNC_ADMIN_KEYS to use it');
  }
}
