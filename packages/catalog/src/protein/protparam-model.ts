import { defineModel } from '@openad-async/models';
import { z } from 'zod';

import { outcomeOf, propertyRows } from '../property-batch';
import { PKA_SETS } from './pka-sets';
import { parseSequence } from './protein-sequence';
import { PROTEIN_PROPERTIES, ProteinFacts, isProteinProperty } from './protparam';

export const ProtparamParameters = z.object({
  pka_set: z
    .enum(['expasy', 'emboss'])
    .default('expasy')
    .describe(
      'pKa values for pI and charge: "expasy" = Bjellqvist et al. 1993/1994 (ExPASy ProtParam), ' +
        '"emboss" = EMBOSS iep/pepstats',
    ),
});

/** `get protein protparam`: ProtParam-style sequence properties of proteins, in pure TypeScript. */
export const protparamModel = defineModel({
  id: 'protparam',
  kind: 'property',
  service_type: 'get_protein_property',
  service_name: 'get protein protparam',
  description:
    'Physicochemical properties of protein sequences after the ExPASy ProtParam methods: mass, ' +
    'pI, charge, hydropathy, aromaticity, instability and aliphatic indices, extinction coefficients.',
  help:
    'Give one-letter sequences (the 20 standard residues; case and whitespace ignored). A sequence ' +
    'with any other letter gives its rows result null and an error.',
  subject: 'PROTEIN',
  sub_category: 'protparam',
  properties: PROTEIN_PROPERTIES,
  parameters: ProtparamParameters,
  // Tables only; no engine to load.
  sizeMb: 1,
  load() {
    return Promise.resolve({
      // async: an abort or a bug must reject the promise, never throw synchronously.
      async predict(input, ctx) {
        const pka = PKA_SETS[input.parameters.pka_set];
        return propertyRows(input.subjects, input.property_type, ctx, (subject) => {
          const parsed = parseSequence(subject);
          if (!parsed.ok) return input.property_type.map(() => ({ error: parsed.error }));
          const facts = new ProteinFacts(parsed.residues, pka);
          return input.property_type.map((p) =>
            isProteinProperty(p)
              ? outcomeOf(() => facts.value(p))
              : { error: `unknown property ${p}` },
          );
        });
      },
    });
  },
});
