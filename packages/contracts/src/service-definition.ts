import { z } from 'zod';

import { WorkServiceType } from './service-types';

/** The generator algorithm types the OpenAD client knows. */
export const ALGORITHM_TYPES = [
  'conditional_generation',
  'prediction',
  'generation',
  'controlled_sampling',
] as const;

/** A JSON-schema property as the OpenAD client reads it: always a single `type` string. */
export const ParameterSchema = z
  .object({
    type: z.string(),
    title: z.string().optional(),
    description: z.string().optional(),
    default: z.unknown().optional(),
  })
  .catchall(z.unknown());

/** One entry of `GET /service`, the shape the OpenAD client builds its command grammar from. */
export const ServiceDefinition = z
  .object({
    service_type: WorkServiceType,
    service_name: z.string(),
    description: z.string(),
    valid_types: z.array(z.string()).min(1),
    type_description: z.record(z.string(), z.string()),
    parameters: z.record(z.string(), ParameterSchema),
    required_parameters: z.array(z.string()),
    category: z.enum(['properties', 'generation']),
    sub_category: z.string(),
    GPU: z.boolean(),
    persistent: z.boolean(),
    help: z.string(),
    async_allow: z.literal(true),
    subject: z.string().optional(),
    generator_type: z
      .object({
        algorithm_name: z.string(),
        algorithm_application: z.string(),
        algorithm_type: z.enum(ALGORITHM_TYPES),
        domain: z.string(),
      })
      .optional(),
    target: z.record(z.string(), z.unknown()).nullable().optional(),
    algorithm_versions: z.array(z.string()).optional(),
  })
  .catchall(z.unknown());
export type ServiceDefinition = z.infer<typeof ServiceDefinition>;
