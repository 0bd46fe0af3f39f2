import {
  CancelResponse,
  ErrorResponse,
  InferenceResult,
  LegacyResultNotice,
  ProgressEvent,
  ReadinessResponse,
  ServiceDefinition,
  ServiceRequest,
  ServiceStats,
  STATS_KEY,
  StatusObject,
  SubmitAccepted,
  ValidationErrorResponse,
} from '@openad-async/contracts';
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** `POST /service` as documented: the contract plus the `api_key` the OpenAD client sends. */
const ServiceRequestBody = ServiceRequest.safeExtend({
  api_key: z
    .string()
    .optional()
    .describe(
      'An API key, as the OpenAD client sends it; used when no Authorization or X-API-Key header is present',
    ),
});

/** `GET /async/stats`. */
const StatsResponse = z.object({
  [STATS_KEY.property]: ServiceStats,
  [STATS_KEY.generation]: ServiceStats,
  config: z
    .record(z.string(), z.unknown())
    .describe('The effective configuration, without secrets'),
});

/**
 * Component schemas, generated from the zod contracts: requests as clients may send them
 * (`io: 'input'`, before coercions), answers as the api produces them.
 */
const COMPONENTS = {
  ServiceRequest: { schema: ServiceRequestBody, io: 'input' },
  ServiceDefinition: { schema: ServiceDefinition, io: 'output' },
  StatusObject: { schema: StatusObject, io: 'output' },
  SubmitAccepted: { schema: SubmitAccepted, io: 'output' },
  InferenceResult: { schema: InferenceResult, io: 'output' },
  LegacyResultNotice: { schema: LegacyResultNotice, io: 'output' },
  CancelResponse: { schema: CancelResponse, io: 'output' },
  ProgressEvent: { schema: ProgressEvent, io: 'output' },
  StatsResponse: { schema: StatsResponse, io: 'output' },
  ReadinessResponse: { schema: ReadinessResponse, io: 'output' },
  ErrorResponse: { schema: ErrorResponse, io: 'output' },
  ValidationErrorResponse: { schema: ValidationErrorResponse, io: 'output' },
} satisfies Record<string, { schema: z.ZodType; io: 'input' | 'output' }>;

export type ComponentName = keyof typeof COMPONENTS;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of every component. */
export function componentSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.entries(COMPONENTS).map(([name, { schema, io }]) => {
      const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
        io,
        unrepresentable: 'any',
      }) as JsonSchema;
      return [name, json];
    }),
  );
}

export function ref(name: ComponentName): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}
