import { ALGORITHM_TYPES, PROPERTY_SERVICE_TYPES } from '@openad-async/contracts';
import { z } from 'zod';

import type { ModelDefinition } from './model-definition';

/**
 * What a model module exports: `models: ModelDefinition[]`, or a default export that is an array
 * of definitions or a single one. Shared by the main thread (metadata) and the host thread (load).
 */

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const AFunction = z.custom<(...args: never[]) => unknown>(
  (value) => typeof value === 'function',
  'must be a function',
);

// Duck-typed, not instanceof: a plugin may bring its own copy of zod.
const AZodSchema = z.custom<z.ZodType>(
  (value) =>
    isObject(value) &&
    typeof value.safeParse === 'function' &&
    typeof value.safeParseAsync === 'function',
  'must be a zod schema',
);

const Base = {
  id: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/,
      'must be 1-100 letters, digits, "_", ".", ":" or "-"',
    ),
  service_name: z.string().min(1),
  description: z.string(),
  help: z.string().optional(),
  parameters: AZodSchema,
  sizeMb: z.number().nonnegative().finite(),
  gpu: z.boolean().optional(),
  load: AFunction,
  properties: z
    .record(z.string(), z.string())
    .refine((p) => Object.keys(p).length > 0, 'must name at least one property'),
};

const PropertyDefinition = z.object({
  ...Base,
  kind: z.literal('property'),
  service_type: z.enum(PROPERTY_SERVICE_TYPES),
  subject: z.string().min(1),
  sub_category: z.string(),
});

const GeneratorDefinition = z.object({
  ...Base,
  kind: z.literal('generation'),
  service_type: z.literal('generate_data'),
  generator: z.object({
    algorithm_name: z.string().min(1),
    algorithm_application: z.string(),
    algorithm_type: z.enum(ALGORITHM_TYPES),
    domain: z.string(),
    versions: z.array(z.string()),
  }),
  target: z.record(z.string(), z.unknown()).nullable(),
});

const Definition = z.discriminatedUnion('kind', [PropertyDefinition, GeneratorDefinition]);

/** The definitions a module exports, unvalidated; throws when it exports none. */
function rawDefinitions(moduleExports: unknown, modulePath: string): unknown[] {
  if (isObject(moduleExports)) {
    if (Array.isArray(moduleExports.models)) return moduleExports.models;
    const fallback = 'default' in moduleExports ? moduleExports.default : moduleExports;
    if (Array.isArray(fallback)) return fallback;
    if (isObject(fallback) && 'id' in fallback) return [fallback];
  }
  throw new Error(
    `Model module ${modulePath} exports no model definitions ` +
      '(expected `models: ModelDefinition[]` or a default export of one or an array)',
  );
}

/**
 * Validates what a module exports and returns its definitions as exported (validation keeps
 * references: `load` and the zod schema are used as they are). Errors name the module, the
 * definition and each bad field.
 */
export function definitionsOf(moduleExports: unknown, modulePath: string): ModelDefinition[] {
  return rawDefinitions(moduleExports, modulePath).map((raw, index) => {
    const parsed = Definition.safeParse(raw);
    if (!parsed.success) {
      const id = isObject(raw) && typeof raw.id === 'string' ? `"${raw.id}"` : `#${index}`;
      const problems = parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(definition)'}: ${issue.message}`)
        .join('; ');
      throw new Error(`Model module ${modulePath}: definition ${id} is invalid: ${problems}`);
    }
    return raw as ModelDefinition;
  });
}
