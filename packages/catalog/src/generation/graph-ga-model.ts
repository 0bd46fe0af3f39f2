import { defineModel, type GenerationRecord } from '@openad-async/models';
import { z } from 'zod';

import { parseSmiles } from '../molecule/parse-smiles';
import { createQedCalculator } from '../molecule/qed';
import { loadRDKit } from '../molecule/rdkit-module';
import { ChildJudge } from './child-judge';
import { DEFAULT_SEEDS } from './default-seeds';
import { runGraphGa } from './graph-ga';
import { GraphOperators } from './graph-operators';
import { OBJECTIVES, createObjective } from './objectives';
import { canonicalSeed, seedTexts } from './seed-molecules';

/** Molecules returned when the request gives no sample_size. */
export const DEFAULT_SAMPLE_SIZE = 10;

/** Key order is the order users type `USING (…)` parameters in. */
export const GraphGaParameters = z.object({
  target: z
    .string()
    .default('')
    .describe(
      'Target SMILES (optional): joins the seeds, and is the reference of the similarity objective',
    ),
  objective: z
    .enum(OBJECTIVES)
    .default('qed')
    .describe(
      'What to maximise: qed (drug-likeness, Bickerton 2012), logp (Wildman-Crippen), or ' +
        'similarity (Tanimoto on Morgan radius-2 fingerprints to the target)',
    ),
  generations: z.number().int().min(1).max(1000).default(20).describe('Generations to evolve'),
  population_size: z
    .number()
    .int()
    .min(2)
    .max(1000)
    .default(50)
    .describe('Molecules kept per generation; as many children are made per generation'),
  mutation_rate: z
    .number()
    .min(0)
    .max(1)
    .default(0.2)
    .describe('Probability that a crossover child is also mutated'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0)
    .describe('Random seed: the same seed and inputs give the same molecules'),
});

/** `generate with GraphGA`: Jensen's graph-based genetic algorithm on RDKit. */
export const graphGaModel = defineModel({
  id: 'graph-ga',
  kind: 'generation',
  service_type: 'generate_data',
  service_name: 'generate with GraphGA',
  description:
    'Evolves molecules with a graph-based genetic algorithm (Jensen, Chem. Sci. 2019): crossover ' +
    'and mutation as RDKit reactions on molecular graphs, selection by QED, logP or similarity.',
  help:
    'Seeds come from the target parameter and the request subjects (SMILES), else a built-in set ' +
    'of small drug-like molecules. Returns sample_size molecules {smiles, score}, best first; ' +
    'seeds are not returned.',
  generator: {
    algorithm_name: 'GraphGA',
    algorithm_application: 'GraphGAGenerator',
    algorithm_type: 'conditional_generation',
    domain: 'materials',
    versions: ['v0'],
  },
  properties: {
    GraphGAGenerator:
      'Graph-based genetic algorithm (Jensen 2019) maximising QED, logP or Tanimoto similarity',
  },
  target: {
    type: 'array',
    description: 'Seed molecules for the first generation (default: a built-in drug-like set)',
    items: { type: 'string', description: 'SMILES' },
  },
  parameters: GraphGaParameters,
  // Measured RSS growth: ~50 MB after load() (RDKit wasm, ~80 reactions and SMARTS), ~80 MB
  // after a 20 generations × 50 run.
  sizeMb: 90,
  async load() {
    const rdkit = await loadRDKit();
    const qed = createQedCalculator(rdkit);
    let judge: ChildJudge | undefined;
    let operators: GraphOperators;
    try {
      judge = new ChildJudge(rdkit);
      operators = new GraphOperators(rdkit, judge);
    } catch (err) {
      judge?.dispose();
      qed.dispose();
      throw err;
    }
    const childJudge = judge;
    return {
      async predict(input, ctx): Promise<GenerationRecord[]> {
        const p = input.parameters;
        const target = p.target.trim() === '' ? null : canonicalSeed(rdkit, p.target);
        const given = seedTexts(input.subjects).map((s) => canonicalSeed(rdkit, s));
        const seeds = [...(target === null ? [] : [target]), ...given];
        const objective = createObjective(rdkit, p.objective, qed, target ?? given[0] ?? null);
        const scores = new Map<string, number>();
        const score = (smiles: string): number => {
          let s = scores.get(smiles);
          if (s === undefined) {
            const parsed = parseSmiles(rdkit, smiles);
            if (!parsed.ok)
              throw new Error(`GA member ${smiles} no longer parses: ${parsed.error}`);
            try {
              s = objective(parsed.mol);
            } finally {
              parsed.mol.delete();
            }
            scores.set(smiles, s);
          }
          return s;
        };
        const best = await runGraphGa(
          operators,
          score,
          {
            seeds: seeds.length > 0 ? seeds : DEFAULT_SEEDS.map((s) => canonicalSeed(rdkit, s)),
            generations: p.generations,
            populationSize: p.population_size,
            mutationRate: p.mutation_rate,
            seed: p.seed,
            sampleSize: Math.max(1, Math.floor(input.sample_size ?? DEFAULT_SAMPLE_SIZE)),
          },
          ctx,
        );
        return best.map((m) => ({ smiles: m.smiles, score: Math.round(m.score * 1e6) / 1e6 }));
      },
      unload() {
        operators.dispose();
        childJudge.dispose();
        qed.dispose();
      },
    };
  },
});
