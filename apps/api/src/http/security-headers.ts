import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's defaults (CSP `script-src 'self'`, nosniff, frame and referrer policies, HSTS, …).
 * `upgrade-insecure-requests` is dropped: the api is often reached over plain HTTP inside a
 * cluster or on a laptop, where it would make browsers fetch the /docs and dashboard assets
 * over an HTTPS port nobody listens on. Both UIs load only same-origin scripts, so the default
 * script policy holds for them.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
  });
}
