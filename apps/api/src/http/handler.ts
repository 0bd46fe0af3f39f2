import type { NextFunction, Request, RequestHandler, Response } from 'express';

import type { Principal } from '../auth/access-control';
import { principalOf } from './access';

/** What a route handler returns: no Express types leak into the handlers themselves. */
export interface HandlerResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Send `body` as text instead of JSON. */
  text?: boolean;
  /** Send `body` as a string of this media type (HTML, JavaScript, Prometheus text). */
  contentType?: string;
}

export interface HandlerRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** Correlates log lines of one HTTP request. */
  requestId: string;
  /** Aborted when the client goes away (long sync waits stop early). */
  signal: AbortSignal;
  /** Who is calling (anonymous on open routes); requests are visible to their owner only. */
  principal: Principal;
}

/** Adapts a plain async handler to Express; rejections reach the one error handler. */
export function route(handler: (req: HandlerRequest) => Promise<HandlerResult>): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      const result = await handler({
        params: req.params as Record<string, string>,
        query: req.query as Record<string, unknown>,
        body: req.body as unknown,
        headers: req.headers,
        requestId: String(res.locals.requestId),
        signal: abort.signal,
        principal: principalOf(res),
      });
      if (res.headersSent) return;
      for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
      res.status(result.status ?? 200);
      if (result.contentType) res.type(result.contentType).send(String(result.body));
      else if (result.text) res.type('text/plain').send(String(result.body));
      else res.json(result.body);
    } catch (err) {
      next(err);
    }
  };
}
