import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Headers a browser may send cross-origin: the key headers, JSON bodies and correlation ids. */
const ALLOWED_HEADERS = 'Authorization, X-API-Key, Content-Type, X-Request-Id';
const EXPOSED_HEADERS = 'X-Request-Id, Retry-After';
const METHODS = 'GET, POST, DELETE, OPTIONS';

/**
 * CORS for the origins in `OPENAD_ASYNC_CORS_ORIGINS` (`*` allows any). Preflights are answered
 * here, before auth, since browsers send no credentials on them. No cookies are used, so
 * `Access-Control-Allow-Credentials` is never sent. With no origins configured, nothing is added
 * and browsers keep the same-origin rule.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.header('origin');
    if (!origin || origins.length === 0) return next();
    res.append('Vary', 'Origin');
    if (!any && !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (req.method === 'OPTIONS' && req.header('access-control-request-method')) {
      res.setHeader('Access-Control-Allow-Methods', METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
