import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What a route handler returns: no Express types leak into the handlers themselves. */
export interface HandlerResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Send `body` as text instead of JSON. */
  text?: boolean;
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
      });
      if (res.headersSent) return;
      for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
      res.status(result.status ?? 200);
      if (result.text) res.type('text/plain').send(String(result.body));
      else res.json(result.body);
    } catch (err) {
      next(err);
    }
  };
}
