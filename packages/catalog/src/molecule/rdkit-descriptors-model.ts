import { defineModel } from '@openad-async/models';
import { z } from 'zod';

import { outcomeOf, propertyRows } from '../property-batch';
import { MOLECULE_PROPERTIES, MoleculeFacts, isMoleculeProperty } from './molecule-properties';
import { parseSmiles } from './parse-smiles';
import { createQedCalculator } from './qed';
import { loadRDKit } from './rdkit-module';

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
      // async: an abort or a bug must reject the promise, never throw synchronously.
      async predict(input, ctx) {
        return propertyRows(input.subjects, input.property_type, ctx, (subject) => {
          const parsed = parseSmiles(rdkit, subject);
          if (!parsed.ok) return input.property_type.map(() => ({ error: parsed.error }));
          const facts = new MoleculeFacts(rdkit, parsed.mol, qed);
          try {
            return input.property_type.map((p) =>
              isMoleculeProperty(p)
                ? outcomeOf(() => facts.value(p))
                : { error: `unknown property ${p}` },
            );
          } finally {
            parsed.mol.delete();
          }
        });
      },
      unload() {
        qed.dispose();
      },
    };
  },
});
