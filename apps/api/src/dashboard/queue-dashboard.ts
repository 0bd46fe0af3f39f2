import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AuthError, SERVICE_KINDS } from '@openad-async/contracts';
import type { JobQueues } from '@openad-async/queue';

/** Where the dashboard is mounted. */
export const DASHBOARD_PATH = '/admin/queues';

export interface QueueDashboardOptions {
  queues: JobQueues;
  /** No retries, removals, pauses or edits. @defaultValue true */
  readOnly: boolean;
}

/**
 * bull-board on both queues, as an Express router to mount at DASHBOARD_PATH behind the admin
 * guard. Read-only is enforced twice: bull-board's own read-only mode (its buttons disappear and
 * its handlers answer 405), and a guard here that refuses every method but GET/HEAD, so a route
 * bull-board forgets to check cannot change a queue either.
 */
export function queueDashboard(o: QueueDashboardOptions): RequestHandler[] {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: SERVICE_KINDS.map(
      (kind) => new BullMQAdapter(o.queues.queues[kind], { readOnlyMode: o.readOnly }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'openad-async' } },
  });
  const readOnlyGuard = (req: Request, _res: Response, next: NextFunction) => {
    if (o.readOnly && req.method !== 'GET' && req.method !== 'HEAD') {
      next(
        new AuthError(
          'FORBIDDEN',
          'The dashboard is read-only (OPENAD_ASYNC_DASHBOARD_READONLY=false allows changes)',
        ),
      );
      return;
    }
    next();
  };
  return [readOnlyGuard, serverAdapter.getRouter() as RequestHandler];
}
