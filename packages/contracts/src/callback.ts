import { z } from 'zod';

/**
 * The delivery of a request's callback (`callback_url`), as its status object shows it:
 * `pending` until an attempt succeeds or the attempts run out, then `delivered` or `failed`.
 */
export const CallbackOutcome = z.object({
  url: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  /** Attempts made so far. */
  attempts: z.number().int().min(0),
  last_attempt_at: z.iso.datetime().optional(),
  /** HTTP status of the last attempt's answer, when one came. */
  response_status: z.number().int().optional(),
  /** Why the last attempt failed. */
  error: z.string().optional(),
  delivered_at: z.iso.datetime().optional(),
});
export type CallbackOutcome = z.infer<typeof CallbackOutcome>;

/** Callback URLs longer than this are refused: nothing legitimate needs more. */
export const CALLBACK_URL_MAX_LENGTH = 2048;

/** A callback URL as a submission names it: http(s) only; where it points is checked later. */
export const CallbackUrl = z
  .string()
  .max(CALLBACK_URL_MAX_LENGTH, `must be at most ${CALLBACK_URL_MAX_LENGTH} characters`)
  .refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), 'must be an http(s) URL');
