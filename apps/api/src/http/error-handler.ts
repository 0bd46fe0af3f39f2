import type { ErrorRequestHandler } from 'express';
import { OpenadError, RetryLaterError, ValidationError } from '@openad-async/contracts';
import { isConnectionError } from '@openad-async/queue';
import type { Logger } from '@openad-async/telemetry';

/**
 * The one place an error becomes an HTTP answer. Known errors keep their status and code;
 * anything else is our bug: 500 with a generic message, details only in the log.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const known = toOpenadError(err);
    const requestId = String(res.locals.requestId ?? '');
    if (!known) {
      logger.error('unhandled error', {
        request_id: requestId,
        method: req.method,
        path: req.path,
        err,
      });
      if (!res.headersSent) {
        res.status(500).json({
          detail: { error: 'Internal server error', code: 'INTERNAL', request_ref: requestId },
        });
      }
      return;
    }
    if (res.headersSent) return;
    if (known instanceof RetryLaterError)
      res.setHeader('Retry-After', String(known.retryAfterSeconds));
    if (known instanceof ValidationError) {
      res.status(422).json({ detail: known.issues });
      return;
    }
    res
      .status(known.status)
      .json({ detail: { error: known.message, code: known.code, ...known.context } });
  };
}

/** Body-parser and other framework errors carry a status and a type; map the ones users cause. */
function toOpenadError(err: unknown): OpenadError | null {
  if (err instanceof OpenadError) return err;
  // Redis or the result store out of reach is an outage, not our bug: 503 and retry later.
  if (isConnectionError(err)) {
    return new RetryLaterError('UNAVAILABLE', 'Service temporarily unavailable, try again', 5);
  }
  if (err && typeof err === 'object' && 'type' in err) {
    const e = err as { type?: string; status?: number; message?: string; limit?: number };
    switch (e.type) {
      case 'entity.parse.failed':
        return new ValidationError([
          {
            type: 'json_invalid',
            loc: ['body'],
            msg: `JSON decode error: ${e.message ?? 'invalid JSON'}`,
          },
        ]);
      case 'entity.too.large':
        return new OpenadError('PAYLOAD_TOO_LARGE', 413, 'Request body too large', {
          limit_bytes: e.limit,
        });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new OpenadError('BAD_REQUEST', 415, 'Unsupported body encoding or charset');
      case 'request.aborted':
        return new OpenadError('BAD_REQUEST', 400, 'Request aborted');
      default:
        if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
          return new OpenadError('BAD_REQUEST', e.status, 'Bad request');
        }
    }
  }
  return null;
}
