import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AuthError, RetryLaterError } from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';

import {
  ANONYMOUS,
  type AccessControl,
  type AccessLevel,
  type Principal,
} from '../auth/access-control';
import type { RateLimiter } from '../security/rate-limiter';

/** The caller a guard admitted; anonymous on routes without one. */
export function principalOf(res: Response): Principal {
  const p: unknown = res.locals.principal;
  if (p && typeof p === 'object' && 'owner' in p && 'admin' in p) {
    const { owner, admin } = p as { owner: unknown; admin: unknown };
    if ((owner === null || typeof owner === 'string') && typeof admin === 'boolean') {
      return { owner, admin };
    }
  }
  return ANONYMOUS;
}

export interface GuardOptions {
  /** Accept `api_key` from the JSON body (POST /service: the OpenAD client sends it there). */
  bodyKey?: boolean;
  /**
   * Answer 401 with a Basic challenge, so a browser asks for the key (the dashboard). Other
   * routes challenge with Bearer. @defaultValue false
   */
  basicChallenge?: boolean;
}

/** Admits callers that `level` allows (see AccessControl); others reach the error handler. */
export function requireAccess(
  access: AccessControl,
  level: AccessLevel,
  o: GuardOptions = {},
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      const body: unknown = req.body;
      res.locals.principal = access.authenticate(level, {
        authorization: req.header('authorization'),
        apiKeyHeader: req.headers['x-api-key'],
        bodyKey:
          o.bodyKey && body !== null && typeof body === 'object' && 'api_key' in body
            ? (body as { api_key: unknown }).api_key
            : undefined,
      });
      next();
    } catch (err) {
      if (err instanceof AuthError && err.code === 'UNAUTHORIZED') {
        res.setHeader(
          'WWW-Authenticate',
          o.basicChallenge ? 'Basic realm="openad-async admin"' : 'Bearer realm="openad-async"',
        );
      }
      next(err);
    }
  };
}

/**
 * The shared per-key rate limit (per client address on open routes). When Redis cannot be
 * asked the request goes through: the limit protects capacity, and a Redis outage already
 * fails whatever needs Redis.
 */
export function limitRate(limiter: RateLimiter | null, logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!limiter) return next();
    const owner = principalOf(res).owner;
    limiter.take(owner ?? `ip:${req.ip ?? 'unknown'}`).then(
      (decision) => {
        if (decision.allowed) return next();
        next(
          new RetryLaterError(
            'RATE_LIMITED',
            `Rate limit exceeded: at most ${limiter.limit} requests per minute`,
            decision.retryAfterSeconds,
            { limit_per_minute: limiter.limit },
          ),
        );
      },
      (err: unknown) => {
        logger.warn('rate limit check failed, letting the request through', {
          request_id: String(res.locals.requestId ?? ''),
          err,
        });
        next();
      },
    );
  };
}
