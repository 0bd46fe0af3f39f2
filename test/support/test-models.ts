import { defineModel, type PropertyRow } from '@openad-async/models';
import { z } from 'zod';

/** Waits `ms`, ending early (rejecting) when the signal aborts: a cooperative slow model. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * Small real models for pipeline tests: they run through the same registry, worker and store
 * as the built-ins, with behaviour a test can steer through parameters.
 */
export const echoModel = defineModel({
  kind: 'property',
  id: 'test-echo',
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  description: 'Length of each subject, after an optional delay',
  subject: 'SMILES',
  sub_category: 'test',
  properties: { length: 'number of characters', upper: 'the subject upper-cased' },
  parameters: z.object({
    delay_ms: z.number().int().min(0).max(60000).default(0).describe('delay per request'),
    fail: z.boolean().default(false).describe('throw instead of answering'),
  }),
  sizeMb: 1,
  async load() {
    return {
      async predict(input, ctx) {
        if (input.parameters.delay_ms > 0) await sleep(input.parameters.delay_ms, ctx.signal);
        if (input.parameters.fail) throw new Error('echo model was asked to fail');
        const rows: PropertyRow[] = [];
        for (const property of input.property_type) {
          for (const subject of input.subjects) {
            const s = String(subject);
            rows.push({
              subject,
              property,
              result: property === 'length' ? s.length : s.toUpperCase(),
            });
          }
        }
        ctx.progress(input.subjects.length, input.subjects.length);
        return rows;
      },
    };
  },
});

export const testGenerator = defineModel({
  kind: 'generation',
  id: 'test-generator',
  service_type: 'generate_data',
  service_name: 'generate with TestGen',
  description: 'Counts up to sample_size',
  generator: {
    algorithm_name: 'TestGen',
    algorithm_application: 'TestGenerator',
    algorithm_type: 'generation',
    domain: 'materials',
    versions: ['v0'],
  },
  properties: { TestGenerator: 'numbers' },
  target: null,
  parameters: z.object({ start: z.number().int().default(0).describe('first number') }),
  sizeMb: 1,
  async load() {
    return {
      async predict(input) {
        const n = input.sample_size ?? 3;
        return Array.from({ length: n }, (_, i) => ({ value: input.parameters.start + i }));
      },
    };
  },
});

export const testModels = [echoModel, testGenerator];
