type JsonSchema = Record<string, unknown>;

/**
 * The OpenAD client sends booleans as "True"/"False", numbers and array items as strings.
 * Coerce those by the parameter's declared JSON-schema type before the strict zod parse; any
 * other value passes through untouched so the parse can name what is wrong with it.
 */
export function coerceParameters(
  raw: Record<string, unknown>,
  properties: Record<string, JsonSchema>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const schema = properties[key];
    out[key] = schema ? coerce(value, schema) : value;
  }
  return out;
}

function coerce(value: unknown, schema: JsonSchema): unknown {
  switch (schema.type) {
    case 'boolean':
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return /^true$/i.test(value);
      return value;
    case 'integer':
    case 'number':
      if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value))
        return Number(value);
      return value;
    case 'array': {
      const items = schema.items as JsonSchema | undefined;
      return Array.isArray(value) && items ? value.map((v) => coerce(v, items)) : value;
    }
    default:
      return value;
  }
}
