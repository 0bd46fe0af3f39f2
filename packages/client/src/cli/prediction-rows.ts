import type { PropertyRow } from '../types';
import type { InputRow } from './input-parsing';

/** One output row: an input subject with each asked property's value, or why it has none. */
export interface PredictionRow {
  input: InputRow;
  values: Record<string, unknown>;
  /** Why some or all values are missing (an invalid subject, a failed request). */
  error?: string;
}

/**
 * Joins a request's result rows back to its input rows. The service answers property-major
 * (every subject for the first property, then the second …), so the row for property p and
 * subject s is at p × subjects + s; the subject is checked too, so a service answering in
 * another order shows up as errors rather than as values on the wrong molecule.
 */
export function joinResult(
  inputs: readonly InputRow[],
  properties: readonly string[],
  result: unknown,
): PredictionRow[] {
  const n = inputs.length;
  if (!Array.isArray(result) || result.length !== properties.length * n) {
    const got = Array.isArray(result) ? `${result.length} rows` : typeof result;
    return failAll(inputs, `unexpected result: ${got} for ${properties.length * n} expected`);
  }
  return inputs.map((input, s) => {
    const values: Record<string, unknown> = {};
    const errors: string[] = [];
    for (const [p, property] of properties.entries()) {
      const row = result[p * n + s] as Partial<PropertyRow> | undefined;
      if (!row || String(row.subject) !== input.subject || row.property !== property) {
        errors.push(`${property}: result out of order`);
        continue;
      }
      values[property] = row.result ?? null;
      if (row.error !== undefined && !errors.includes(row.error)) errors.push(row.error);
    }
    return { input, values, ...(errors.length ? { error: errors.join('; ') } : {}) };
  });
}

/** Every row of a request that did not complete carries the request's fate. */
export function failAll(inputs: readonly InputRow[], error: string): PredictionRow[] {
  return inputs.map((input) => ({ input, values: {}, error }));
}
