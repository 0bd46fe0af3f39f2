import { z } from 'zod';

import { ERROR_CODES } from './errors';
import { RequestId } from './status';

/**
 * Answer bodies of the HTTP API that have no other schema. The error handler and routes build
 * these shapes; the OpenAPI document is generated from them, so the two cannot drift apart.
 */

/** `{"detail":{"error","code",…context}}`: every error except validation. */
export const ErrorResponse = z.object({
  detail: z
    .object({
      error: z.string().describe('What went wrong, for people'),
      code: z.enum(ERROR_CODES).describe('What went wrong, for programs'),
    })
    .catchall(z.unknown())
    .describe('Safe context (request_id, status, limits, …) rides along'),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** 422: the FastAPI shape OpenAD clients print. */
export const ValidationErrorResponse = z.object({
  detail: z.array(
    z.object({
      type: z.string(),
      loc: z.array(z.union([z.string(), z.number()])).describe('e.g. ["body","parameters"]'),
      msg: z.string(),
      input: z.unknown().optional(),
    }),
  ),
});
export type ValidationErrorResponse = z.infer<typeof ValidationErrorResponse>;

/** Enhanced async submission (`async` + `use_enhanced_async`). */
export const SubmitAccepted = z.object({ request_id: RequestId });
export type SubmitAccepted = z.infer<typeof SubmitAccepted>;

/** Legacy async submission: the id as a bare JSON string. */
export const LegacySubmitAccepted = RequestId;

/** `get_result` by `url` (legacy) while the request is not finished, or when it failed. */
export const LegacyResultNotice = z.union([
  z.object({ warning: z.object({ reason: z.string() }) }),
  z.object({
    error: z.object({ reason: z.string(), status: z.string().optional() }).catchall(z.unknown()),
  }),
]);
export type LegacyResultNotice = z.infer<typeof LegacyResultNotice>;

/** A cancel that ended (200) or is under way (202). */
export const CancelResponse = z.object({ result: z.string(), request_id: RequestId });
export type CancelResponse = z.infer<typeof CancelResponse>;

/** `GET /readyz`. */
export const ReadinessResponse = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: z.record(z.string(), z.enum(['ok', 'unreachable'])),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;

/** One row of a property result, property-major; an unusable subject has `result: null` and an `error`. */
export const PropertyResultRow = z.object({
  subject: z.unknown(),
  property: z.string(),
  result: z.unknown(),
  error: z.string().optional(),
});
export type PropertyResultRow = z.infer<typeof PropertyResultRow>;

/** One generated record, e.g. `{"smiles": "…", "qed": 0.7}`. */
export const GenerationResultRecord = z.record(z.string(), z.unknown());

/** What a finished request yields: the `result` of its status object, or a sync answer. */
export const InferenceResult = z.union([
  z.array(PropertyResultRow),
  z.array(GenerationResultRecord),
]);
