import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  BadRequestError,
  NotFoundError,
  RequestId,
  toWire,
  type StatusRecord,
} from '@openad-async/contracts';
import type { RequestTracker } from '@openad-async/queue';

import {
  streamStatusEvents,
  type StatusEventSink,
  type StatusEventStreamOptions,
} from '../services/status-event-stream';

export interface StatusEventsRouteOptions extends Omit<
  StatusEventStreamOptions,
  'read' | 'present'
> {
  tracker: RequestTracker;
  /**
   * Whether the caller may see the request: the status route's rule, so a stranger's request
   * answers 404 here too. @defaultValue everyone (no auth)
   */
  visible?(record: StatusRecord, res: Response): boolean;
  /** The record as the wire shows it. @defaultValue toWire (no internal fields) */
  present?(record: StatusRecord): unknown;
}

/** How long a client waits before reconnecting after the stream drops, ms (SSE `retry:`). */
const RECONNECT_MS = 2000;

/**
 * `GET /async/status/:id/events`: Server-Sent Events of one request. Errors before the stream
 * starts (bad id 400, unknown 404, auth) go to the one error handler as JSON; once it runs,
 * the stream ends after the terminal event or when the client leaves.
 */
export function statusEvents(o: StatusEventsRouteOptions): RequestHandler {
  const present = o.present ?? toWire;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const id = String(req.params.id ?? '');
      if (!RequestId.safeParse(id).success) {
        throw new BadRequestError('Invalid request id: must be a UUID', {
          request_id: id.slice(0, 100),
        });
      }
      const record = await o.tracker.read(id);
      if (!record || !(o.visible?.(record, res) ?? true)) {
        throw new NotFoundError('Request not found', { request_id: id });
      }
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      // no-transform: proxies must not compress or rebuffer; X-Accel-Buffering: nginx likewise.
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('Connection', 'keep-alive');
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      res.write(`retry: ${RECONNECT_MS}\n\n`);
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      const sink: StatusEventSink = {
        send: (e) =>
          void res.write(`id: ${e.id}\nevent: ${e.name}\ndata: ${JSON.stringify(e.data)}\n\n`),
        heartbeat: () => void res.write(': ping\n\n'),
        end: () => void res.end(),
      };
      await streamStatusEvents(
        { ...o, read: (r) => o.tracker.read(r), present },
        record,
        { ...lastEventIdOf(req), signal: abort.signal },
        sink,
      );
    } catch (err) {
      if (!res.headersSent) {
        next(err);
        return;
      }
      o.logger.warn('status event stream failed', { request_id: req.params.id, err });
      res.end();
    }
  };
}

/** `Last-Event-ID` (what EventSource sends on reconnect), or `?last_event_id=` for polyfills. */
function lastEventIdOf(req: Request): { lastEventId?: string } {
  const header = req.header('last-event-id');
  const query = req.query.last_event_id;
  const value = header ?? (typeof query === 'string' ? query : undefined);
  return value === undefined ? {} : { lastEventId: value.trim() };
}
