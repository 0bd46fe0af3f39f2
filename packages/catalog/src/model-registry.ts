import {
  ValidationError,
  type ServiceDefinition,
  type WorkServiceType,
} from '@openad-async/contracts';
import type { ModelDefinition } from '@openad-async/models';

import { coerceParameters } from './parameter-coercion';
import { parameterSchemas, serviceDefinition, type ParameterSchemas } from './service-definitions';

interface Entry {
  def: ModelDefinition;
  schemas: ParameterSchemas;
  definition: ServiceDefinition;
}

/**
 * The registered models, by service. The api resolves and validates requests against it (so an
 * unknown service or property is a 4xx now, not a failed job later); the worker runs by id.
 */
export class ModelRegistry {
  private readonly byService = new Map<string, Entry>();
  private readonly byId = new Map<string, Entry>();

  constructor(defs: readonly ModelDefinition[]) {
    for (const def of defs) {
      if (this.byId.has(def.id)) throw new Error(`model id "${def.id}" is registered twice`);
      const key = serviceKey(def.service_type, def.service_name);
      if (this.byService.has(key)) {
        throw new Error(`service "${def.service_name}" (${def.service_type}) is registered twice`);
      }
      if (Object.keys(def.properties).length === 0) {
        throw new Error(`model ${def.id}: needs at least one property (valid_types)`);
      }
      const entry = { def, schemas: parameterSchemas(def), definition: serviceDefinition(def) };
      this.byService.set(key, entry);
      this.byId.set(def.id, entry);
    }
  }

  get models(): readonly ModelDefinition[] {
    return [...this.byId.values()].map((e) => e.def);
  }

  serviceDefinitions(): ServiceDefinition[] {
    return [...this.byService.values()].map((e) => e.definition);
  }

  byModelId(id: string): ModelDefinition | undefined {
    return this.byId.get(id)?.def;
  }

  /**
   * The model serving a request and its parsed parameters; a ValidationError naming the field
   * when the service, a property or a parameter is wrong.
   */
  resolve(request: {
    service_type: WorkServiceType;
    service_name: string;
    property_type: string[];
    parameters: Record<string, unknown>;
  }): { model: ModelDefinition; parameters: Record<string, unknown>; propertyType: string[] } {
    const entry = this.byService.get(serviceKey(request.service_type, request.service_name));
    if (!entry) {
      const names = [...this.byService.values()]
        .filter((e) => e.def.service_type === request.service_type)
        .map((e) => e.def.service_name);
      throw ValidationError.single(
        ['body', 'service_name'],
        names.length
          ? `unknown service for ${request.service_type}; registered: ${names.join(', ')}`
          : `no service is registered for ${request.service_type}`,
        request.service_name,
      );
    }
    const valid = Object.keys(entry.def.properties);
    // Generators take their one generator name implicitly when the client sends none.
    const propertyType =
      entry.def.kind === 'generation' && request.property_type.length === 0
        ? [valid[0]!]
        : request.property_type;
    propertyType.forEach((p, i) => {
      if (!valid.includes(p)) {
        throw ValidationError.single(
          ['body', 'parameters', 'property_type', i],
          `unknown property; valid: ${valid.join(', ')}`,
          p,
        );
      }
    });
    const coerced = coerceParameters(request.parameters, entry.schemas.properties);
    const parsed = entry.def.parameters.safeParse(coerced);
    if (!parsed.success) throw ValidationError.fromZod(parsed.error, ['body', 'parameters']);
    return {
      model: entry.def,
      parameters: (parsed.data ?? {}) as Record<string, unknown>,
      propertyType,
    };
  }
}

function serviceKey(type: string, name: string): string {
  return `${type}\u0000${name}`;
}
