/**
 * Issue 3: the three eviction strategies (LRU, LFU, SIZE = largest_size) on a Zipf(1.1) trace
 * over 30 models of mixed sizes, with capacity for 6, against Belady (evict the model whose next
 * use is farthest in the future) on the same trace.
 *
 * The strategies run through the project's real code: the ModelResourceManager itself (which
 * calls planRoom and the strategy functions of eviction.ts) with a simulated clock (one tick per
 * request), a loader that returns at once and no free-memory pressure. Belady runs through the
 * same planRoom with a strategy that looks ahead in the trace; a second planRoom-only replay of
 * LRU/LFU/SIZE checks that it matches the manager exactly, so the comparison is like for like.
 *
 * "Capacity for 6" two ways: max_models = 6 (count), and max_memory_mb = 6 × the mean model size
 * with no count limit (bytes). With mixed sizes Belady is the classic reference, not a proven
 * optimum (optimal eviction with sizes is NP-hard); the compulsory misses (first use of each
 * model) are a hard floor. Env: BENCH_SEEDS (5), BENCH_TRACE (20000).
 */
import {
  EVICTION_STRATEGY_BY_NAME,
  ModelResourceManager,
  type EvictionCandidate,
  type EvictionStrategy,
  type EvictionStrategyName,
} from '@openad-async/models';
// Not re-exported by the package index; the built module is the same code the manager runs.
import { planRoom, type RoomLimits } from '@openad-async/models/dist/room-plan';

import { machineInfo } from './lib/env';
import { table, writeReport } from './lib/report';
import { prng } from './lib/smiles';
import { fmt, fmtSpread, ratio, spread } from './lib/stats';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 5);
const TRACE = Number(process.env.BENCH_TRACE ?? 20_000);
const MODELS = 30;
const SLOTS = 6;
const ZIPF_S = 1.1;
/** Three tiers of 10 models, sizes log-uniform within each: small, medium, large. */
const TIERS_MB: [number, number][] = [
  [20, 50],
  [100, 300],
  [500, 1000],
];
const STRATEGIES: EvictionStrategyName[] = [
  'least_recently_used',
  'least_frequently_used',
  'largest_size',
];
const SHORT: Record<string, string> = {
  least_recently_used: 'LRU',
  least_frequently_used: 'LFU',
  largest_size: 'SIZE',
  belady: 'Belady',
};

interface Workload {
  sizes: number[];
  trace: number[];
}

/** Sizes in three tiers; popularity rank independent of size; Zipf(1.1) trace. */
function workload(seed: number): Workload {
  const rand = prng(seed);
  const sizes = Array.from({ length: MODELS }, (_, i) => {
    const [lo, hi] = TIERS_MB[Math.floor((i * TIERS_MB.length) / MODELS)]!;
    return Math.round(lo * (hi / lo) ** rand());
  });
  // Model i has popularity rank rankOf[i]; weights ∝ rank^-s.
  const ranks = Array.from({ length: MODELS }, (_, i) => i + 1);
  for (let i = ranks.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [ranks[i], ranks[j]] = [ranks[j]!, ranks[i]!];
  }
  const weights = ranks.map((r) => r ** -ZIPF_S);
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  const trace = Array.from({ length: TRACE }, () => {
    const u = rand();
    const i = cdf.findIndex((c) => u <= c);
    return i < 0 ? MODELS - 1 : i;
  });
  return { sizes, trace };
}

interface Outcome {
  misses: number;
  evictions: number;
  loadedMb: number;
}

/** Replays a trace through the real ModelResourceManager with a simulated clock. */
async function viaManager(
  w: Workload,
  strategy: EvictionStrategyName,
  limits: RoomLimits,
): Promise<Outcome> {
  let clock = 0;
  let loadedMb = 0;
  const models = w.sizes.map((sizeMb, i) => ({ id: `m${i}`, sizeMb }));
  const manager = new ModelResourceManager({
    resolveModel: (id) => models[Number(id.slice(1))],
    loader: async (model) => {
      loadedMb += model.sizeMb;
      return { measuredSizeMb: model.sizeMb, unload: async () => undefined };
    },
    maxModels: limits.maxModels,
    maxMemoryMb: limits.maxMemoryMb,
    memoryHeadroomMb: 0,
    evictionStrategy: strategy,
    freeMemoryMb: () => 1e12,
    now: () => clock,
  });
  for (const i of w.trace) {
    clock += 1;
    const lease = await manager.acquire(`m${i}`);
    lease.release();
  }
  const stats = manager.stats();
  await manager.close();
  return { misses: stats.misses, evictions: stats.evictions, loadedMb };
}

interface SimEntry extends EvictionCandidate {
  id: string;
  sizeMb: number;
  lastUsed: number;
  useCount: number;
  pinned: boolean;
  loaded: boolean;
}

/**
 * Replays a trace through planRoom alone, keeping the entries as the manager does (load order,
 * last use and uses since load, all unpinned and loaded between requests).
 */
function viaPlanRoom(
  w: Workload,
  strategyFor: (position: number) => EvictionStrategy,
  limits: RoomLimits,
): Outcome {
  let entries: SimEntry[] = [];
  let misses = 0;
  let evictions = 0;
  let loadedMb = 0;
  w.trace.forEach((model, position) => {
    const t = position + 1;
    const id = `m${model}`;
    const hit = entries.find((e) => e.id === id);
    if (hit) {
      hit.useCount += 1;
      hit.lastUsed = t;
      return;
    }
    misses += 1;
    const size = w.sizes[model]!;
    const plan = planRoom(entries, size, 1e12, limits, strategyFor(position));
    if (!plan.fits) throw new Error(`model ${id} (${size} MB) does not fit: ${plan.shortfall}`);
    evictions += plan.victims.length;
    entries = entries.filter((e) => !plan.victims.includes(e));
    entries.push({ id, sizeMb: size, lastUsed: t, useCount: 1, pinned: false, loaded: true });
    loadedMb += size;
  });
  return { misses, evictions, loadedMb };
}

/** Belady's choice at each position: the candidate whose next use is farthest (or never). */
function beladyFor(w: Workload): (position: number) => EvictionStrategy {
  // next[p] = next position after p using the same model as p (Infinity if none).
  const nextUse = new Array<number>(w.trace.length);
  const upcoming = new Map<number, number>();
  for (let p = w.trace.length - 1; p >= 0; p -= 1) {
    nextUse[p] = upcoming.get(w.trace[p]!) ?? Infinity;
    upcoming.set(w.trace[p]!, p);
  }
  // For each model, its sorted positions, to find the next use after any position.
  const positions = new Map<number, number[]>();
  w.trace.forEach((m, p) => {
    const list = positions.get(m) ?? [];
    list.push(p);
    positions.set(m, list);
  });
  const nextAfter = (model: number, position: number): number => {
    const list = positions.get(model) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]! <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length ? list[lo]! : Infinity;
  };
  return (position) =>
    <C extends EvictionCandidate>(entries: readonly C[]): C | undefined => {
      let victim: C | undefined;
      let farthest = -1;
      for (const e of entries) {
        if (e.pinned || !e.loaded) continue;
        const n = nextAfter(Number(e.id.slice(1)), position);
        if (n > farthest) {
          farthest = n;
          victim = e;
        }
      }
      return victim;
    };
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = await machineInfo(
    (await import('node:os')).loadavg().map((v) => Math.round(v * 100) / 100),
  );
  const capacities: { name: string; limits: (w: Workload) => RoomLimits; describe: string }[] = [
    {
      name: 'count',
      limits: () => ({ maxModels: SLOTS, maxMemoryMb: null, memoryHeadroomMb: 0 }),
      describe: `max_models = ${SLOTS}, no memory cap`,
    },
    {
      name: 'bytes',
      limits: (w) => ({
        maxModels: MODELS,
        maxMemoryMb: Math.round((SLOTS * w.sizes.reduce((a, b) => a + b, 0)) / MODELS),
        memoryHeadroomMb: 0,
      }),
      describe: `max_memory_mb = ${SLOTS} × mean size of the 30 models, no count limit`,
    },
  ];
  const runs: Record<string, Record<string, Outcome[]>> = {};
  const checks: string[] = [];
  const info: Record<string, unknown>[] = [];
  for (let seed = 1; seed <= SEEDS; seed += 1) {
    const w = workload(seed);
    const distinct = new Set(w.trace).size;
    const compulsoryMb = [...new Set(w.trace)].reduce((a, m) => a + w.sizes[m]!, 0);
    const largest = Math.max(...w.sizes);
    const perCapacity: Record<string, unknown> = {};
    for (const cap of capacities) {
      const limits = cap.limits(w);
      if (limits.maxMemoryMb !== null && largest > limits.maxMemoryMb) {
        throw new Error(`seed ${seed}: largest model ${largest} MB exceeds ${limits.maxMemoryMb}`);
      }
      const r = (runs[cap.name] ??= {});
      for (const s of STRATEGIES) {
        const real = await viaManager(w, s, limits);
        const replay = viaPlanRoom(w, () => EVICTION_STRATEGY_BY_NAME[s], limits);
        if (real.misses !== replay.misses || real.loadedMb !== replay.loadedMb) {
          checks.push(
            `seed ${seed} ${cap.name} ${s}: manager ${real.misses} misses, planRoom replay ${replay.misses}`,
          );
        }
        (r[s] ??= []).push(real);
      }
      (r.belady ??= []).push(viaPlanRoom(w, beladyFor(w), limits));
      (r.compulsory ??= []).push({ misses: distinct, evictions: 0, loadedMb: compulsoryMb });
      perCapacity[cap.name] = limits;
    }
    info.push({ seed, sizes: w.sizes, distinct, limits: perCapacity });
  }

  const md: string[] = [
    `${SEEDS} seeded traces of ${TRACE} requests; ${MODELS} models in three tiers of 10 (sizes log-uniform`,
    `in ${TIERS_MB.map(([a, b]) => `${a}–${b}`).join(', ')} MB), popularity Zipf(${ZIPF_S}) by a random rank independent of size.`,
    'LRU/LFU/SIZE: the real ModelResourceManager (planRoom + eviction.ts) on a simulated clock;',
    'Belady: the same planRoom with a look-ahead strategy. LFU as implemented counts uses since the',
    `model's current load (a reloaded model starts from 0). Planroom-only replay matches the manager: ${checks.length === 0 ? 'yes, on every run' : `NO — ${checks.join('; ')}`}.`,
    '',
  ];
  for (const cap of capacities) {
    const r = runs[cap.name]!;
    const rows = [...STRATEGIES, 'belady', 'compulsory'].map((s) => {
      const misses = spread(r[s]!.map((o) => o.misses));
      const vsBelady = spread(r[s]!.map((o, i) => ratio(o.misses, r.belady![i]!.misses)));
      const gb = spread(r[s]!.map((o) => o.loadedMb / 1024));
      const gbVs = spread(r[s]!.map((o, i) => ratio(o.loadedMb, r.belady![i]!.loadedMb)));
      return [
        s === 'compulsory' ? 'floor: first use of each model' : SHORT[s]!,
        fmtSpread(misses, 0),
        fmt((misses.median / TRACE) * 100, 1) + '%',
        fmt(vsBelady.median, 2) + ` (${fmt(vsBelady.min, 2)}–${fmt(vsBelady.max, 2)})`,
        fmt(gb.median, 0),
        fmt(gbVs.median, 2) + ` (${fmt(gbVs.min, 2)}–${fmt(gbVs.max, 2)})`,
      ];
    });
    md.push(
      `**Capacity by ${cap.name}: ${cap.describe}** (medians over seeds; ratios per seed, range)`,
      '',
      ...table(
        [
          'strategy',
          'misses (IQR; range; N)',
          'miss ratio',
          'misses / Belady',
          'GB loaded',
          'bytes / Belady',
        ],
        rows,
      ),
      '',
    );
  }
  await writeReport(
    {
      bench: 'cache-sim',
      machine,
      loads: [],
      settings: {
        seeds: SEEDS,
        trace: TRACE,
        models: MODELS,
        slots: SLOTS,
        zipf: ZIPF_S,
        tiersMb: TIERS_MB,
      },
      results: { runs, checks, workloads: info },
      durationS: (Date.now() - started) / 1000,
    },
    md,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
