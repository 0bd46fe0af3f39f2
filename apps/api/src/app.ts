import { randomUUID } from 'node:crypto';

import express, { type Express, type RequestHandler } from 'express';
import type { ModelRegistry } from '@openad-async/catalog';
import type { Config } from '@openad-async/config';
import { NotFoundError, isOwnedBy, toWire } from '@openad-async/contracts';
import type { Backplane, StatusEventHub } from '@openad-async/queue';
import type { Logger } from '@openad-async/telemetry';

import { AccessControl, type AccessLevel } from './auth/access-control';
import { DASHBOARD_PATH, queueDashboard } from './dashboard/queue-dashboard';
import { limitRate, principalOf, requireAccess, type GuardOptions } from './http/access';
import { cors } from './http/cors';
import { errorHandler } from './http/error-handler';
import { route } from './http/handler';
import { httpMetrics, labelRoute } from './http/http-metrics';
import { securityHeaders } from './http/security-headers';
import type { ApiMetrics } from './metrics/api-metrics';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { SWAGGER_UI_DIR, docsInitializer, docsPage, openApiJson } from './routes/docs';
import { health, healthz, readyz, type ReadinessProbe } from './routes/health';
import { statusEvents } from './routes/events';
import { metrics } from './routes/metrics';
import { listServices, postService } from './routes/service';
import { cancelRequest, getStatus } from './routes/status';
import { webhookSecret } from './routes/webhook-secret';
import { RateLimiter } from './security/rate-limiter';
import type { DoneWaiter } from './services/done-waiter';
import { QueueCap } from './services/queue-cap';
import { collectStats } from './services/stats';

export interface AppDeps {
  config: Config;
  logger: Logger;
  registry: ModelRegistry;
  backplane: Backplane;
  waiter: DoneWaiter;
  probes: ReadinessProbe[];
  /** Live status events (SSE), owned by the api server. */
  events: StatusEventHub;
  metrics: ApiMetrics;
}

/** Routes every probe uses; deployment checks compare manifests against these. */
export const PROBE_ROUTES = ['/health', '/healthz', '/readyz'] as const;

/** How long DELETE waits for a processing request to stop before answering 202. */
const CANCEL_WAIT_MS = 5000;

/** The access level of `/metrics` under `config`. */
export function metricsAccess(config: Config): AccessLevel {
  return config.api.metricsPublic ? 'public' : 'operator';
}

export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const access = new AccessControl({
    apiKeys: config.api.apiKeys,
    adminKeys: config.api.adminKeys,
  });
  const limiter =
    config.api.rateLimitPerMinute > 0
      ? new RateLimiter({
          redis: deps.backplane.redis,
          keys: deps.backplane.keys,
          limit: config.api.rateLimitPerMinute,
        })
      : null;
  /** Guard + shared rate limit: what every user and operator route goes through. */
  const protect = (level: AccessLevel, o: GuardOptions = {}): RequestHandler[] => [
    requireAccess(access, level, o),
    limitRate(limiter, logger),
  ];

  const app = express();
  app.disable('x-powered-by');
  // Status bodies change from poll to poll and no client sends If-None-Match: hashing every
  // JSON answer for an ETag is pure cost.
  app.set('etag', false);
  // X-Forwarded-For counts only when it comes from a proxy on a private or loopback address
  // (the load balancer): a client on the internet cannot pick its address for the rate limit.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  // A trailing '/' in the client's configured URL makes it ask for '//health'.
  app.use((req, _res, next) => {
    if (req.url.startsWith('//')) req.url = req.url.replace(/^\/+/, '/');
    next();
  });
  app.use((req, res, next) => {
    const given = req.header('x-request-id');
    res.locals.requestId = given && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', String(res.locals.requestId));
    next();
  });
  app.use(httpMetrics((...m) => deps.metrics.observeHttp(...m)));
  app.use(securityHeaders());
  app.use(cors(config.api.corsOrigins));

  // Open: probes and the API description (it documents the public wire API and holds no data;
  // browsers cannot send a bearer token when they open /docs).
  app.get('/health', route(health));
  app.get('/healthz', route(healthz));
  app.get('/readyz', route(readyz(deps.probes)));
  const metricsLevel = metricsAccess(config);
  app.get('/metrics', requireAccess(access, metricsLevel), route(metrics(deps.metrics)));
  app.get('/openapi.json', route(openApiJson(buildOpenApiDocument({ access, metricsLevel }))));
  app.get('/docs', route(docsPage));
  app.get('/docs/swagger-initializer.js', route(docsInitializer));
  app.use(
    '/docs/assets',
    labelRoute('/docs/assets/*'),
    express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }),
  );
  app.use(
    DASHBOARD_PATH,
    labelRoute(`${DASHBOARD_PATH}/*`),
    requireAccess(access, 'admin', { basicChallenge: true }),
    ...queueDashboard({ queues: deps.backplane.queues, readOnly: config.api.dashboardReadonly }),
  );

  app.use(
    express.json({
      limit: `${config.api.maxBodyKb}kb`,
      strict: false,
      type: ['application/json', 'application/*+json'],
    }),
  );

  const tracker = deps.backplane.tracker;
  const queueCap = new QueueCap({
    max: config.queue.maxQueueSize,
    count: (kind) => deps.backplane.queues.pendingCount(kind),
  });
  const serviceDeps = { ...deps, submissions: deps.metrics, queueCap };
  app.get('/service', ...protect('user'), route(listServices(serviceDeps)));
  // The OpenAD client sends its key as `api_key` in this body.
  app.post('/service', ...protect('user', { bodyKey: true }), route(postService(serviceDeps)));
  app.get('/async/status/:id', ...protect('user'), route(getStatus(tracker)));
  app.get('/async/webhook-secret', ...protect('user'), route(webhookSecret(config)));
  app.get(
    '/async/status/:id/events',
    ...protect('user'),
    statusEvents({
      hub: deps.events,
      tracker,
      logger,
      heartbeatMs: config.events.heartbeatSeconds * 1000,
      visible: (record, res) => isOwnedBy(record, principalOf(res).owner),
      present: toWire,
    }),
  );
  const cancel = route(
    cancelRequest(tracker, async (id) => {
      const record = await deps.waiter.wait(id, CANCEL_WAIT_MS);
      return record?.status ?? null;
    }),
  );
  app.delete('/async/status/:id', ...protect('user'), cancel);
  app.delete('/async/cancel/:id', ...protect('user'), cancel);
  app.get(
    '/async/stats',
    ...protect('operator'),
    route(async () => ({ body: await collectStats(deps) })),
  );

  app.use(
    route(async (req) => {
      throw new NotFoundError('Route not found', { request_ref: req.requestId });
    }),
  );
  app.use(errorHandler(logger));
  return app;
}
