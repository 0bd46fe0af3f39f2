import type { NextFunction, Request, RequestHandler, Response } from 'express';

export type HttpObservation = (
  method: string,
  route: string,
  status: string,
  seconds: number,
) => void;

/**
 * Times every answer. The route label is the matched pattern (`/async/status/:id`), a mount's
 * label set in `res.locals.routeLabel`, or `unmatched`: never the raw path, which would make a
 * series per request id or per scanner probe.
 */
export function httpMetrics(observe: HttpObservation): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const routeLabel: unknown = res.locals.routeLabel;
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route =
        typeof routeLabel === 'string'
          ? routeLabel
          : typeof pattern === 'string'
            ? `${req.baseUrl}${pattern}`
            : 'unmatched';
      observe(
        req.method,
        route,
        res.writableFinished ? String(res.statusCode) : 'aborted',
        seconds,
      );
    });
    next();
  };
}

/** Labels every request under a mount (static files, the dashboard) with one route name. */
export function labelRoute(label: string): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.locals.routeLabel = label;
    next();
  };
}
