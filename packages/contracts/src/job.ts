import { z } from 'zod';

import { PRIORITY_NAMES } from './priority';
import { SERVICE_KINDS, WorkServiceType } from './service-types';
import { RequestId } from './status';

/** How the caller waits: enhanced async (id object), legacy async (bare id) or sync. */
export const SubmitMode = z.enum(['async', 'legacy', 'sync']);
export type SubmitMode = z.infer<typeof SubmitMode>;

/**
 * The job payload, the one contract between api (producer) and worker (consumer). The api
 * validates before enqueueing; the worker parses again on dequeue, since Redis holds whatever
 * any producer wrote.
 */
export const InferenceJob = z.object({
  request_id: RequestId,
  kind: z.enum(SERVICE_KINDS),
  service_type: WorkServiceType,
  service_name: z.string().min(1),
  /** Property names for property services; empty for generation. */
  property_type: z.array(z.string()),
  subjects: z.array(z.unknown()),
  /** Model parameters, already validated against the model's schema at the api. */
  parameters: z.record(z.string(), z.unknown()),
  sample_size: z.number().int().positive().optional(),
  priority: z.enum(PRIORITY_NAMES),
  mode: SubmitMode,
  /** Submission time, epoch ms. */
  created_at: z.number().int().nonnegative(),
  /** End of the request's whole life, epoch ms; null when it has no timeout. */
  deadline: z.number().int().nonnegative().nullable(),
  /** Opaque owner tag (a hash of the submitting key) for per-key visibility; null when open. */
  owner: z.string().nullable().default(null),
  /** Where the terminal status object is POSTed; checked against private addresses at the api. */
  callback_url: z.string().optional(),
});
export type InferenceJob = z.output<typeof InferenceJob>;
export type InferenceJobInput = z.input<typeof InferenceJob>;

/** The BullMQ job name; one per queue, the queue says which kind. */
export const JOB_NAME = 'inference';
