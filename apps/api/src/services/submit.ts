import { randomUUID } from 'node:crypto';

import type { ModelRegistry } from '@openad-async/catalog';
import type { Config } from '@openad-async/config';
import {
  InferenceJob,
  kindOf,
  type ServiceRequest,
  type SubmitMode,
  type WorkServiceType,
} from '@openad-async/contracts';
import type { Backplane } from '@openad-async/queue';

import { checkCallbackUrl } from './callback-check';
import type { QueueCap } from './queue-cap';

export interface SubmitDeps {
  registry: ModelRegistry;
  backplane: Backplane;
  config: Config;
  /** The queue cap, shared by every submit of this api. */
  queueCap: QueueCap;
  now?: () => number;
}

/** How the client asked to wait, from the two flags. */
export function modeOf(body: ServiceRequest): SubmitMode {
  if (body.async && body.use_enhanced_async) return 'async';
  if (body.async) return 'legacy';
  return 'sync';
}

/**
 * Validates a work request against the catalog, applies the queue cap, and enqueues it with
 * its priority and deadline. Everything a client can get wrong is a 4xx before anything is
 * queued.
 */
export async function submit(
  deps: SubmitDeps,
  body: ServiceRequest & { service_type: WorkServiceType; service_name: string },
  owner: string | null,
): Promise<InferenceJob> {
  const { property_type = [], subjects = [], ...modelParameters } = body.parameters;
  const resolved = deps.registry.resolve({
    service_type: body.service_type,
    service_name: body.service_name,
    property_type,
    parameters: modelParameters,
  });
  const callbackUrl =
    body.callback_url === undefined ? null : await checkCallbackUrl(body.callback_url, deps.config);
  const kind = kindOf(body.service_type);
  return deps.queueCap.enqueue(kind, async () => {
    const now = (deps.now ?? Date.now)();
    const timeout = body.timeout_seconds ?? deps.config.queue.defaultRequestTimeoutSeconds;
    const job = InferenceJob.parse({
      request_id: randomUUID(),
      kind,
      service_type: body.service_type,
      service_name: body.service_name,
      property_type: resolved.propertyType,
      subjects,
      parameters: resolved.parameters,
      ...(body.sample_size === undefined ? {} : { sample_size: body.sample_size }),
      priority: body.priority ?? deps.config.queue.defaultPriority,
      mode: modeOf(body),
      created_at: now,
      deadline: timeout === null ? null : now + Math.round(timeout * 1000),
      owner,
      ...(callbackUrl === null ? {} : { callback_url: callbackUrl }),
    });
    await deps.backplane.queues.submit(job);
    return job;
  });
}
