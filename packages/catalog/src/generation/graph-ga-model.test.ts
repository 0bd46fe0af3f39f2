import type { GenerationRecord, LoadedModel, PredictContext } from '@openad-async/models';
import type { z } from 'zod';

import { parseSmiles } from '../molecule/parse-smiles';
import { createQedCalculator, type QedCalculator } from '../molecule/qed';
import { readDescriptors } from '../molecule/rdkit-descriptors';
import { loadRDKit, type RDKitModule } from '../molecule/rdkit-module';
import { GraphGaParameters, graphGaModel } from './graph-ga-model';

type Parameters = z.output<typeof GraphGaParameters>;

const SEEDS = ['CCO', 'c1ccccc1', 'CC(=O)O', 'CCN', 'c1ccncc1', 'CCCCCC'];
const SMALL_RUN = { generations: 5, population_size: 20, seed: 11 };

let model: LoadedModel<Parameters>;
let rdkit: RDKitModule;
let qed: QedCalculator;
let firstRun: GenerationRecord[];

function ctx(
  signal = new AbortController().signal,
  progress: PredictContext['progress'] = () => {},
) {
  return { signal, progress };
}

function generate(
  parameters: Partial<Parameters>,
  subjects: unknown[] = SEEDS,
  context: PredictContext = ctx(),
  sample_size = 8,
): Promise<GenerationRecord[]> {
  return model.predict(
    {
      subjects,
      property_type: ['GraphGAGenerator'],
      parameters: GraphGaParameters.parse(parameters),
      sample_size,
    },
    context,
  ) as Promise<GenerationRecord[]>;
}

function qedOf(smiles: string): number {
  const parsed = parseSmiles(rdkit, smiles);
  if (!parsed.ok) throw new Error(parsed.error);
  try {
    return qed.qed(parsed.mol, readDescriptors(parsed.mol));
  } finally {
    parsed.mol.delete();
  }
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

beforeAll(async () => {
  model = await graphGaModel.load();
  rdkit = await loadRDKit();
  qed = createQedCalculator(rdkit);
  firstRun = await generate(SMALL_RUN);
});

afterAll(async () => {
  qed.dispose();
  await model.unload?.();
});

describe('generate with GraphGA', () => {
  it('when seeds evolve for QED, then sample_size distinct valid molecules come back, best first', () => {
    expect(firstRun).toHaveLength(8);
    const smiles = firstRun.map((r) => String(r.smiles));
    expect(new Set(smiles).size).toBe(smiles.length);
    for (const s of smiles) {
      const parsed = parseSmiles(rdkit, s);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) parsed.mol.delete();
      expect(SEEDS).not.toContain(s);
    }
    const scores = firstRun.map((r) => Number(r.score));
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // The reported score is the molecule's QED.
    firstRun.forEach((r) => expect(Number(r.score)).toBeCloseTo(qedOf(String(r.smiles)), 5));
  });

  it('when seeds evolve for QED, then the output’s mean QED beats the seeds’', () => {
    const seedsMean = mean(SEEDS.map(qedOf));
    expect(mean(firstRun.map((r) => Number(r.score)))).toBeGreaterThan(seedsMean + 0.1);
  });

  it('when the same seed runs twice, then the molecules are identical; another seed differs', async () => {
    expect(await generate(SMALL_RUN)).toEqual(firstRun);
    expect(await generate({ ...SMALL_RUN, seed: 12 })).not.toEqual(firstRun);
  });

  it('when a run proceeds, then progress counts generations', async () => {
    const done: [number, number][] = [];
    await generate(
      { generations: 3, population_size: 6 },
      SEEDS,
      ctx(undefined, (d, t) => done.push([d, t])),
      2,
    );
    expect(done).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });

  it('when the abort comes after the first generation, then the run stops with its reason', async () => {
    const controller = new AbortController();
    const done: number[] = [];
    const progress = (d: number): void => {
      done.push(d);
      controller.abort(new Error('canceled by client'));
    };
    await expect(
      generate({ generations: 50, population_size: 20 }, SEEDS, ctx(controller.signal, progress)),
    ).rejects.toThrow('canceled by client');
    expect(done).toEqual([1]);
  });

  it('when an abort arrives from a timer mid-run, then the run stops long before it would end', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('deadline')), 100);
    const started = Date.now();
    await expect(
      generate({ generations: 1000, population_size: 50 }, SEEDS, ctx(controller.signal)),
    ).rejects.toThrow('deadline');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('when the objective is similarity to a target, then scores are Tanimoto values near the target', async () => {
    const out = await generate(
      { ...SMALL_RUN, objective: 'similarity', target: 'CC(=O)Oc1ccccc1C(=O)O' },
      [],
    );
    expect(out.length).toBeGreaterThan(0);
    for (const r of out) {
      expect(Number(r.score)).toBeGreaterThan(0.3);
      expect(Number(r.score)).toBeLessThan(1);
    }
  });

  it('when a seed is not a valid SMILES, then the run fails naming it', async () => {
    await expect(generate(SMALL_RUN, ['CCO', 'C1CC'])).rejects.toThrow(
      /seed "C1CC": invalid SMILES/,
    );
  });

  it('when subjects are objects or lists, then their SMILES seed the run', async () => {
    const out = await generate(
      { generations: 2, population_size: 6 },
      [{ smiles: ['CCO', 'CCN'] }, ['c1ccccc1']],
      ctx(),
      3,
    );
    expect(out.length).toBeGreaterThan(0);
  });
});
