import type { ServiceDefinition } from '@openad-async/contracts';
import type { ModelDefinition } from '@openad-async/models';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

export interface ParameterSchemas {
  properties: Record<string, JsonSchema>;
  required: string[];
}

/**
 * The JSON-schema `parameters` of a model as the OpenAD client needs them: every entry has one
 * `type` string. The client's grammar breaks on type lists, `$ref` or enum-only entries, for
 * every service at once, so a model whose schema yields those is rejected at registration.
 */
export function parameterSchemas(def: ModelDefinition): ParameterSchemas {
  let schema: JsonSchema;
  try {
    schema = z.toJSONSchema(def.parameters, {
      io: 'input',
      unrepresentable: 'throw',
    }) as JsonSchema;
  } catch (err) {
    throw new Error(
      `model ${def.id}: parameters cannot be described as JSON schema (${String(err)})`,
    );
  }
  if (schema.type !== 'object') {
    throw new Error(`model ${def.id}: parameters must be a zod object`);
  }
  const properties: Record<string, JsonSchema> = {};
  for (const [key, raw] of Object.entries(
    (schema.properties ?? {}) as Record<string, JsonSchema>,
  )) {
    if (key === 'property_type' || key === 'subjects') {
      throw new Error(`model ${def.id}: parameter "${key}" is reserved`);
    }
    if (typeof raw.type !== 'string') {
      throw new Error(
        `model ${def.id}: parameter "${key}" must have a single JSON-schema type (got ${JSON.stringify(raw.type ?? null)}); avoid nullable/union parameters`,
      );
    }
    properties[key] = { title: titleOf(key), ...raw };
  }
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return { properties, required };
}

function titleOf(key: string): string {
  return key
    .split('_')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(' ');
}

/** One `GET /service` entry in the OpenAD wire shape. */
export function serviceDefinition(def: ModelDefinition): ServiceDefinition {
  const params = parameterSchemas(def);
  const common = {
    service_type: def.service_type,
    service_name: def.service_name,
    description: def.description,
    valid_types: Object.keys(def.properties),
    type_description: { ...def.properties },
    parameters: params.properties as ServiceDefinition['parameters'],
    required_parameters: params.required,
    GPU: def.gpu ?? false,
    persistent: true,
    help: def.help ?? def.description,
    async_allow: true as const,
  };
  if (def.kind === 'property') {
    return {
      ...common,
      category: 'properties',
      sub_category: def.sub_category,
      subject: def.subject,
    };
  }
  return {
    ...common,
    category: 'generation',
    sub_category: def.generator.algorithm_type,
    generator_type: {
      algorithm_name: def.generator.algorithm_name,
      algorithm_application: def.generator.algorithm_application,
      algorithm_type: def.generator.algorithm_type,
      domain: def.generator.domain,
    },
    target: def.target ?? {},
    algorithm_versions: def.generator.versions,
  };
}
