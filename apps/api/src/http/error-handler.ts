import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

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
  // Express and body-parser mark the client's mistakes with a 4xx `status` (http-errors), with
  // a `type` for the body-parser ones; a broken %-escape in a path or an undecodable gzip body
  // carries only the status.
  if (err && typeof err === 'object' && ('type' in err || 'status' in err)) {
    const e = err as {
      type?: string;
      status?: number;
      message?: string;
      limit?: number;
      expose?: boolean;
    };
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
          // http-errors sets `expose` on 4xx messages meant for the client.
          const message = e.expose && e.message ? `Bad request: ${e.message.slice(0, 200)}` : '';
          return new OpenadError('BAD_REQUEST', e.status, message || 'Bad request');
        }
    }
  }
  return null;
}

/**
 * Requests Node's HTTP parser rejects (oversized or malformed headers, unknown methods) never
 * reach Express; Node would answer a bare 400/431. Answer them in the same `{"detail": …}` shape.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's default: nobody to answer.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, error] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request headers too large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request not received in time']
          : [400, 'Malformed HTTP request'];
    const body = JSON.stringify({ detail: { error, code: 'BAD_REQUEST' } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
