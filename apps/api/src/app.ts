import { randomUUID } from 'node:crypto';

import express, { type Express } from 'express';
import type { ModelRegistry } from '@openad-async/catalog';
import type { Config } from '@openad-async/config';
import { NotFoundError } from '@openad-async/contracts';
import type { Backplane, StatusEventHub } from '@openad-async/queue';
import type { Logger } from '@openad-async/telemetry';

import { errorHandler } from './http/error-handler';
import { route } from './http/handler';
import { statusEvents } from './routes/events';
import { health, healthz, readyz, type ReadinessProbe } from './routes/health';
import { listServices, postService } from './routes/service';
import { cancelRequest, getStatus } from './routes/status';
import { webhookSecret } from './routes/webhook-secret';
import type { DoneWaiter } from './services/done-waiter';
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
}

/** Routes every probe uses; deployment checks compare manifests against these. */
export const PROBE_ROUTES = ['/health', '/healthz', '/readyz'] as const;

/** How long DELETE waits for a processing request to stop before answering 202. */
const CANCEL_WAIT_MS = 5000;

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
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
  app.use(
    express.json({
      limit: `${deps.config.api.maxBodyKb}kb`,
      strict: false,
      type: ['application/json', 'application/*+json'],
    }),
  );

  const tracker = deps.backplane.tracker;
  const serviceDeps = { ...deps };
  app.get('/health', route(health));
  app.get('/healthz', route(healthz));
  app.get('/readyz', route(readyz(deps.probes)));
  app.get('/service', route(listServices(serviceDeps)));
  app.post('/service', route(postService(serviceDeps)));
  app.get('/async/status/:id', route(getStatus(tracker)));
  app.get('/async/webhook-secret', route(webhookSecret(deps.config)));
  app.get(
    '/async/status/:id/events',
    statusEvents({
      hub: deps.events,
      tracker,
      logger: deps.logger,
      heartbeatMs: deps.config.events.heartbeatSeconds * 1000,
    }),
  );
  const cancel = route(
    cancelRequest(tracker, async (id) => {
      const record = await deps.waiter.wait(id, CANCEL_WAIT_MS);
      return record?.status ?? null;
    }),
  );
  app.delete('/async/status/:id', cancel);
  app.delete('/async/cancel/:id', cancel);
  app.get(
    '/async/stats',
    route(async () => ({ body: await collectStats(deps) })),
  );

  app.use(
    route(async (req) => {
      throw new NotFoundError('Route not found', { request_ref: req.requestId });
    }),
  );
  app.use(errorHandler(deps.logger));
  return app;
}
