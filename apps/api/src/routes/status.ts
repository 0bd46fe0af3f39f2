import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  RequestId,
  isOwnedBy,
  toWire,
} from '@openad-async/contracts';
import type { RequestTracker } from '@openad-async/queue';

import type { HandlerRequest, HandlerResult } from '../http/handler';

/** Path ids are checked before they reach Redis or the store. */
export function requestIdParam(req: HandlerRequest): string {
  const id = req.params.id ?? '';
  if (!RequestId.safeParse(id).success) {
    throw new BadRequestError('Invalid request id: must be a UUID', {
      request_id: id.slice(0, 100),
    });
  }
  return id;
}

/**
 * `GET /async/status/:id`. Another key's request answers exactly like an unknown one, so a
 * stranger cannot even learn that it exists.
 */
export function getStatus(tracker: RequestTracker) {
  return async (req: HandlerRequest): Promise<HandlerResult> => {
    const id = requestIdParam(req);
    const record = await tracker.read(id);
    if (!record || !isOwnedBy(record, req.principal.owner)) {
      throw new NotFoundError('Request not found', { request_id: id });
    }
    return { body: toWire(record) };
  };
}

/**
 * `DELETE /async/status/:id` and `/async/cancel/:id`. A pending request ends at once; a
 * processing one is aborted on its worker, and we wait briefly to report the outcome.
 */
export function cancelRequest(
  tracker: RequestTracker,
  waitForProcessing: (id: string) => Promise<string | null>,
) {
  return async (req: HandlerRequest): Promise<HandlerResult> => {
    const id = requestIdParam(req);
    const outcome = await tracker.cancel(id, { ownedBy: req.principal.owner });
    if (outcome === 'canceled')
      return { body: { result: 'Request canceled successfully', request_id: id } };
    const ended = await waitForProcessing(id);
    if (ended === 'canceled')
      return { body: { result: 'Request canceled successfully', request_id: id } };
    if (ended !== null) {
      throw new ConflictError('Request already finished', { request_id: id, status: ended });
    }
    return {
      status: 202,
      body: { result: 'Cancel requested; the request is being stopped', request_id: id },
    };
  };
}
