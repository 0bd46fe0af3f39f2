import { z } from 'zod';

import { CallbackUrl } from './callback';
import { PriorityName } from './priority';
import { PROPERTY_SERVICE_TYPES, SERVICE_TYPES } from './service-types';
import { RequestId } from './status';

/** The OpenAD client sends booleans as JSON booleans, but model parameters as "True"/"False". */
export const LenientBoolean = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false|1|0)$/i, 'must be a boolean')
    .transform((s) => /^(true|1)$/i.test(s)),
]);

const PositiveSeconds = z.union([
  z.number().positive('must be a positive number of seconds').finite(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a positive number of seconds')
    .transform(Number)
    .pipe(z.number().positive('must be a positive number of seconds')),
]);

/** `sample_size` arrives as a number or, from the OpenAD client, as a string of digits. */
export const SampleSize = z.union([
  z.number().int('must be a whole number').positive('must be positive'),
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().positive('must be positive')),
]);

const Parameters = z
  .object({
    property_type: z
      .union([
        z.array(z.string().min(1)),
        z
          .string()
          .min(1)
          .transform((s) => [s]),
      ])
      .optional(),
    subjects: z.array(z.unknown()).optional(),
  })
  .catchall(z.unknown());

/** The body of `POST /service`. Unknown top-level keys (api_key, …) are ignored. */
export const ServiceRequest = z
  .object({
    service_type: z.enum(SERVICE_TYPES, {
      error: `must be one of ${SERVICE_TYPES.join(', ')}`,
    }),
    service_name: z.string().min(1).optional(),
    parameters: Parameters.default({}),
    async: LenientBoolean.optional(),
    use_enhanced_async: LenientBoolean.optional(),
    priority: PriorityName.optional(),
    timeout_seconds: PositiveSeconds.optional(),
    sample_size: SampleSize.optional(),
    url: z.string().min(1).optional(),
    request_id: RequestId.optional(),
    /** Where the terminal status object is POSTed, signed (see the README's Webhooks). */
    callback_url: CallbackUrl.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.service_type === 'get_result') {
      if (body.url === undefined && body.request_id === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['request_id'],
          message: 'get_result needs url or request_id',
        });
      }
      return;
    }
    if (body.service_name === undefined) {
      ctx.addIssue({ code: 'custom', path: ['service_name'], message: 'is required' });
    }
    if ((PROPERTY_SERVICE_TYPES as readonly string[]).includes(body.service_type)) {
      if (!body.parameters.property_type?.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', 'property_type'],
          message: 'is required: a non-empty list of property names',
        });
      }
      if (!body.parameters.subjects?.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', 'subjects'],
          message: 'is required: a non-empty list of subjects',
        });
      }
    }
  });
export type ServiceRequest = z.output<typeof ServiceRequest>;
/** The body as a client may send it (before defaults and coercions). */
export type ServiceRequestInput = z.input<typeof ServiceRequest>;
