'use strict';
/**
 * An example model plugin: amino-acid composition of protein sequences.
 *
 * Register it without forking the service:
 *   OPENAD_ASYNC_PLUGINS=./examples/plugins/protein-composition.js npm start
 *
 * A plugin is a CommonJS module exporting `models` (an array of model definitions). It is
 * plain JavaScript because each model runs in its own worker thread, which loads the module
 * directly. `load()` runs inside that thread; the main thread only reads the metadata.
 */
const { z } = require('zod');

const AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';

/** @type {import('@openad-async/models').ModelDefinition} */
const proteinComposition = {
  kind: 'property',
  id: 'example-protein-composition',
  service_type: 'get_protein_property',
  service_name: 'get protein composition',
  description: 'Amino-acid composition of protein sequences (an example plugin)',
  subject: 'PROTEIN',
  sub_category: 'composition',
  properties: {
    composition: 'fraction of each of the 20 standard amino acids',
    most_common_residue: 'the most frequent amino acid',
    hydrophobic_fraction: 'fraction of A, I, L, M, F, V, W, Y residues',
  },
  parameters: z.object({
    digits: z.number().int().min(1).max(8).default(4).describe('decimal places in fractions'),
  }),
  sizeMb: 1,
  async load() {
    return {
      async predict(input, ctx) {
        const round = (x) => Number(x.toFixed(input.parameters.digits));
        const rows = [];
        for (const property of input.property_type) {
          input.subjects.forEach((subject, index) => {
            if (ctx.signal.aborted) throw ctx.signal.reason;
            const seq = String(subject).toUpperCase().replace(/\s+/g, '');
            const bad = [...seq].find((c) => !AMINO_ACIDS.includes(c));
            if (seq.length === 0 || bad !== undefined) {
              rows.push({
                subject,
                property,
                result: null,
                error: seq.length === 0 ? 'empty sequence' : `invalid amino acid "${bad}"`,
              });
              return;
            }
            const counts = Object.fromEntries([...AMINO_ACIDS].map((a) => [a, 0]));
            for (const c of seq) counts[c] += 1;
            let result;
            if (property === 'composition') {
              result = Object.fromEntries(
                Object.entries(counts).map(([a, n]) => [a, round(n / seq.length)]),
              );
            } else if (property === 'most_common_residue') {
              result = Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0];
            } else {
              result = round([...'AILMFVWY'].reduce((sum, a) => sum + counts[a], 0) / seq.length);
            }
            rows.push({ subject, property, result });
            ctx.progress(index + 1, input.subjects.length);
          });
        }
        return rows;
      },
    };
  },
};

module.exports = { models: [proteinComposition] };
