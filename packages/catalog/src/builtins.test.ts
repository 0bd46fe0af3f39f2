import { z } from 'zod';

import { models } from './builtins';

describe('built-in models', () => {
  it('when the list is read, then ids and service names are unique', () => {
    expect(new Set(models.map((m) => m.id)).size).toBe(models.length);
    expect(new Set(models.map((m) => `${m.service_type} ${m.service_name}`)).size).toBe(
      models.length,
    );
    expect(models.map((m) => m.id)).toEqual(['rdkit-descriptors', 'protparam', 'graph-ga']);
  });

  it('when parameters become JSON schema, then each has one type string and a default', () => {
    // The OpenAD client builds its grammar from parameters[*].type: a list or a bare enum breaks it.
    for (const m of models) {
      const schema = z.toJSONSchema(m.parameters, { io: 'input' }) as {
        properties?: Record<string, { type?: unknown; default?: unknown; description?: unknown }>;
      };
      for (const [name, p] of Object.entries(schema.properties ?? {})) {
        expect([m.id, name, typeof p.type]).toEqual([m.id, name, 'string']);
        expect(p.default).toBeDefined();
        expect(typeof p.description).toBe('string');
      }
      expect(m.parameters.safeParse({}).success).toBe(true);
    }
  });

  it('when GraphGA parameters are listed, then they come in the order users type them', () => {
    const ga = models.find((m) => m.id === 'graph-ga');
    const schema = z.toJSONSchema(ga!.parameters, { io: 'input' }) as { properties: object };
    expect(Object.keys(schema.properties)).toEqual([
      'target',
      'objective',
      'generations',
      'population_size',
      'mutation_rate',
      'seed',
    ]);
  });

  it('when a definition is a generator, then its target is an array schema of SMILES', () => {
    const ga = models.find((m) => m.kind === 'generation');
    expect(ga?.kind === 'generation' && ga.target).toMatchObject({
      type: 'array',
      items: { type: 'string' },
    });
  });
});
