import { defineModel, type PropertyRow } from '@openad-async/models';
import { z } from 'zod';

import { MOLECULE_PROPERTIES, MoleculeFacts, isMoleculeProperty } from './molecule-properties';
import { parseSmiles } from './parse-smiles';
import { createQedCalculator } from './qed';
import { loadRDKit } from './rdkit-module';

type Outcome = { result: number | string } | { error: string };

export const RdkitDescriptorParameters = z.object({});

/** `get molecule rdkit`: RDKit physicochemical descriptors and QED for SMILES subjects. */
export const rdkitDescriptorsModel = defineModel({
  id: 'rdkit-descriptors',
  kind: 'property',
  service_type: 'get_molecule_property',
  service_name: 'get molecule rdkit',
  description:
    'Physicochemical descriptors, identifiers and QED of molecules, computed with RDKit (MinimalLib).',
  help:
    'Give SMILES subjects and the property names to compute. An invalid SMILES gives its rows ' +
    'result null and an error; the other subjects are still computed.',
  subject: 'SMILES',
  sub_category: 'physchem',
  properties: MOLECULE_PROPERTIES,
  parameters: RdkitDescriptorParameters,
  // Measured RSS growth: ~50 MB after load() (RDKit wasm + compiled SMARTS), ~110 MB after a
  // 1,000-SMILES batch (the wasm heap grows and never shrinks).
  sizeMb: 110,
  async load() {
    const rdkit = await loadRDKit();
    const qed = createQedCalculator(rdkit);
    return {
      async predict(input, ctx): Promise<PropertyRow[]> {
        const properties = input.property_type;
        const outcomes: Outcome[][] = [];
        for (const [i, subject] of input.subjects.entries()) {
          ctx.signal.throwIfAborted();
          const parsed = parseSmiles(rdkit, subject);
          if (!parsed.ok) {
            outcomes.push(properties.map(() => ({ error: parsed.error })));
          } else {
            const facts = new MoleculeFacts(rdkit, parsed.mol, qed);
            try {
              outcomes.push(properties.map((p) => evaluate(facts, p)));
            } finally {
              parsed.mol.delete();
            }
          }
          ctx.progress(i + 1, input.subjects.length);
        }
        // Property-major, as OpenAD services answer: outer loop properties, inner subjects.
        return properties.flatMap((property, p) =>
          input.subjects.map((subject, s): PropertyRow => {
            const outcome = outcomes[s]?.[p] ?? { error: 'not computed' };
            return 'error' in outcome
              ? { subject, property, result: null, error: outcome.error }
              : { subject, property, result: outcome.result };
          }),
        );
      },
      unload() {
        qed.dispose();
      },
    };
  },
});

function evaluate(facts: MoleculeFacts, property: string): Outcome {
  if (!isMoleculeProperty(property)) return { error: `unknown property ${property}` };
  try {
    return { result: facts.value(property) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
