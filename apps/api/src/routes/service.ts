import type { ModelRegistry } from '@openad-async/catalog';
import {
  OpenadError,
  RetryLaterError,
  ServiceRequest,
  ValidationError,
  isOwnedBy,
  toWire,
  type InferenceJob,
  type StatusRecord,
} from '@openad-async/contracts';
import type { Backplane } from '@openad-async/queue';
import type { Config } from '@openad-async/config';
import type { Logger } from '@openad-async/telemetry';

import type { HandlerRequest, HandlerResult } from '../http/handler';
import type { SubmissionObserver } from '../metrics/api-metrics';
import type { DoneWaiter } from '../services/done-waiter';
import { getResult } from '../services/get-result';
import type { QueueCap } from '../services/queue-cap';
import { submit } from '../services/submit';

export interface ServiceRouteDeps {
  registry: ModelRegistry;
  backplane: Backplane;
  waiter: DoneWaiter;
  config: Config;
  logger: Logger;
  queueCap: QueueCap;
  /** Counts submissions by outcome (metrics). @defaultValue none */
  submissions?: SubmissionObserver;
}

/** `GET /service`: the definitions of every registered model, in the OpenAD wire shape. */
export function listServices(deps: ServiceRouteDeps) {
  return async (): Promise<HandlerResult> => ({ body: deps.registry.serviceDefinitions() });
}

/** `POST /service`: submit work (enhanced async, legacy async, sync) or `get_result`. */
export function postService(deps: ServiceRouteDeps) {
  return async (req: HandlerRequest): Promise<HandlerResult> => {
    if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
      throw ValidationError.single(
        ['body'],
        'must be a JSON object',
        req.body === undefined ? null : req.body,
      );
    }
    const raw = req.body as Record<string, unknown>;
    const parsed = ServiceRequest.safeParse(raw);
    if (!parsed.success) {
      if (raw.service_type !== 'get_result') {
        const priority = stringOr(raw.priority)?.toLowerCase();
        deps.submissions?.submitted(stringOr(raw.service_name), priority, 'rejected');
      }
      throw ValidationError.fromZod(parsed.error);
    }
    const body = parsed.data;
    const owner = req.principal.owner;
    if (body.service_type === 'get_result') {
      const ref = {
        ...(body.url === undefined ? {} : { url: body.url }),
        ...(body.request_id === undefined ? {} : { request_id: body.request_id }),
      };
      // Another key's request reads as one that does not exist.
      const read = async (id: string) => {
        const record = await deps.backplane.tracker.read(id);
        return record && isOwnedBy(record, owner) ? toWire(record) : null;
      };
      return { body: await getResult(read, ref) };
    }
    const priority = body.priority ?? deps.config.queue.defaultPriority;
    let job: InferenceJob;
    try {
      job = await submit(
        deps,
        { ...body, service_type: body.service_type, service_name: body.service_name ?? '' },
        owner,
      );
    } catch (err) {
      if (err instanceof RetryLaterError && err.code === 'QUEUE_FULL') {
        deps.submissions?.submitted(body.service_name, priority, 'queue_full');
      } else if (err instanceof OpenadError && err.status < 500) {
        deps.submissions?.submitted(body.service_name, priority, 'rejected');
      }
      throw err;
    }
    deps.submissions?.submitted(job.service_name, job.priority, 'accepted');
    deps.logger.info('request accepted', {
      request_id: job.request_id,
      http_request_id: req.requestId,
      service: job.service_name,
      priority: job.priority,
      mode: job.mode,
      // A short, non-secret tag of the submitting key, to tell callers apart in the logs.
      ...(owner === null ? {} : { key_id: owner.slice(0, 12) }),
    });
    switch (job.mode) {
      case 'async':
        return { body: { request_id: job.request_id } };
      case 'legacy':
        return { body: job.request_id };
      case 'sync':
        return syncAnswer(deps, job, await waitFor(deps, job, req.signal));
    }
  };
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function waitFor(
  deps: ServiceRouteDeps,
  job: InferenceJob,
  signal: AbortSignal,
): Promise<StatusRecord | null> {
  const cap = deps.config.queue.syncWaitSeconds * 1000;
  // Past its own deadline a request ends `timeout` within a sweep; wait that long, not less.
  const untilDeadline = job.deadline === null ? cap : job.deadline - Date.now() + 2000;
  return deps.waiter.wait(job.request_id, Math.max(0, Math.min(cap, untilDeadline)), signal);
}

function syncAnswer(
  deps: ServiceRouteDeps,
  job: InferenceJob,
  record: StatusRecord | null,
): HandlerResult {
  if (!record) {
    throw new OpenadError(
      'SYNC_WAIT_EXCEEDED',
      504,
      'Request still running; poll its status with the request_id',
      {
        request_id: job.request_id,
        waited_seconds: deps.config.queue.syncWaitSeconds,
      },
    );
  }
  if (record.status === 'completed') return { body: record.result };
  return {
    body: {
      error: {
        reason: record.error ?? `job ${record.status}`,
        status: record.status,
        request_id: job.request_id,
      },
    },
  };
}
