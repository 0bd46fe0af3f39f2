import type { PredictContext } from '@openad-async/models';

import { EventLoopYield } from '../event-loop-yield';
import type { GraphOperators } from './graph-operators';
import { Random } from './prng';

export interface ScoredMolecule {
  smiles: string;
  score: number;
}

export interface GraphGaOptions {
  /** Canonical SMILES of the starting population. */
  seeds: readonly string[];
  generations: number;
  populationSize: number;
  /** Probability that a crossover child is also mutated. */
  mutationRate: number;
  /** PRNG seed: the same options and seed give the same result. */
  seed: number;
  /** How many molecules to return. */
  sampleSize: number;
}

/** Best first; equal scores by SMILES so that the order never depends on arrival. */
function byScore(a: ScoredMolecule, b: ScoredMolecule): number {
  return b.score - a.score || (a.smiles < b.smiles ? -1 : a.smiles > b.smiles ? 1 : 0);
}

/**
 * Jensen's graph-based genetic algorithm (Chem. Sci. 10, 3567-3572, 2019). Each generation
 * draws a mating pool with probability proportional to fitness, makes `populationSize` children
 * by crossover (then mutation with probability `mutationRate`), and keeps the best
 * `populationSize` distinct molecules of parents and children. Returns the best `sampleSize`
 * molecules it generated (seeds excluded), best first.
 */
export async function runGraphGa(
  operators: GraphOperators,
  score: (smiles: string) => number,
  options: GraphGaOptions,
  ctx: PredictContext,
): Promise<ScoredMolecule[]> {
  const random = new Random(options.seed);
  const loop = new EventLoopYield();
  const seeds = new Set(options.seeds);
  const generated = new Map<string, number>();
  let population: ScoredMolecule[] = [...seeds]
    .map((smiles) => ({ smiles, score: score(smiles) }))
    .sort(byScore)
    .slice(0, options.populationSize);
  if (population.length === 0) throw new Error('GraphGA needs at least one valid seed molecule');

  for (let generation = 1; generation <= options.generations; generation++) {
    ctx.signal.throwIfAborted();
    const pool = matingPool(population, options.populationSize, random);
    const next = new Map(population.map((m) => [m.smiles, m.score]));
    for (let i = 0; i < options.populationSize; i++) {
      // A generation can take seconds: let an abort message in between children too.
      await loop.maybeYield();
      ctx.signal.throwIfAborted();
      const child = reproduce(operators, pool, options.mutationRate, random);
      if (child === null || next.has(child)) continue;
      const s = score(child);
      if (!seeds.has(child)) generated.set(child, s);
      next.set(child, s);
    }
    population = [...next]
      .map(([smiles, s]) => ({ smiles, score: s }))
      .sort(byScore)
      .slice(0, options.populationSize);
    ctx.progress(generation, options.generations);
  }

  return [...generated]
    .map(([smiles, s]) => ({ smiles, score: s }))
    .sort(byScore)
    .slice(0, options.sampleSize);
}

/**
 * Roulette-wheel selection on fitness shifted to start at zero (so that negative objectives
 * such as logP work), with a small floor so the worst member keeps a chance.
 */
function matingPool(
  population: readonly ScoredMolecule[],
  size: number,
  random: Random,
): ScoredMolecule[] {
  const min = Math.min(...population.map((m) => m.score));
  const max = Math.max(...population.map((m) => m.score));
  const floor = (max - min) * 0.01 + 1e-6;
  const weights = population.map((m) => m.score - min + floor);
  return Array.from({ length: size }, () => population[random.weightedIndex(weights)]!);
}

/** One child: crossover of two pool members, then mutation; mutation alone if crossover fails. */
function reproduce(
  operators: GraphOperators,
  pool: readonly ScoredMolecule[],
  mutationRate: number,
  random: Random,
): string | null {
  const a = random.pick(pool).smiles;
  const b = random.pick(pool).smiles;
  const crossed = operators.crossover(a, b, random);
  if (crossed === null) return operators.mutate(a, random);
  return random.next() < mutationRate ? (operators.mutate(crossed, random) ?? crossed) : crossed;
}
