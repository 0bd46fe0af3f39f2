/**
 * One model measurement in a fresh process (so every load is cold): either through the
 * worker's model layer (ModelRuntime: host thread, resource manager) or the model alone
 * (definition.load() and predict() called directly in this thread: the baseline).
 * Measures load time, first predict, steady predict latency on a typical request, and (RDKit)
 * a batch of 1,000 SMILES. Args: <runtime|alone|idle> <model id> <out.json>.
 * 'idle' starts nothing but a raw BullMQ worker and waits (baseline for worker RSS).
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import type * as Catalog from '@openad-async/catalog';
import { ModelHost, ModelRuntime, type PredictInput } from '@openad-async/models';
import { silentLogger } from '@openad-async/telemetry';

import { HBA_HUMAN, smilesSet } from './lib/smiles';
import { latencySummary } from './lib/stats';

const [mode = 'runtime', modelId = 'rdkit-descriptors', out = '/dev/stdout'] =
  process.argv.slice(2);

/** The catalog, imported on first use: 'alone' times its import as part of the load. */
const catalog = (): typeof Catalog => require('@openad-async/catalog') as typeof Catalog;

/** The two property sets of the RDKit batch: the README's example pair, and all 17. */
export const RDKIT_SMALL = ['molecular_weight', 'qed'];

interface Workload {
  typical: PredictInput<unknown>;
  steadyRuns: number;
  batches: { name: string; input: PredictInput<unknown> }[];
}

function workload(id: string): Workload {
  const def = catalog().builtinModels.find((m) => m.id === id);
  if (!def) throw new Error(`no built-in model ${id}`);
  const params = def.parameters.parse({}) as Record<string, unknown>;
  const all = Object.keys(def.properties);
  switch (id) {
    case 'rdkit-descriptors': {
      const smiles = smilesSet(1000);
      return {
        typical: {
          property_type: RDKIT_SMALL,
          subjects: ['CC(=O)OC1=CC=CC=C1C(=O)O'],
          parameters: params,
        },
        steadyRuns: 200,
        batches: [
          {
            name: '1000 SMILES x 2 properties',
            input: { property_type: RDKIT_SMALL, subjects: smiles, parameters: params },
          },
          {
            name: '1000 SMILES x 17 properties',
            input: { property_type: all, subjects: smiles, parameters: params },
          },
        ],
      };
    }
    case 'protparam':
      return {
        typical: { property_type: all, subjects: [HBA_HUMAN], parameters: params },
        steadyRuns: 200,
        batches: [],
      };
    case 'graph-ga':
      return {
        // The defaults a request gets: 20 generations of 50, 10 molecules back.
        typical: {
          property_type: ['GraphGAGenerator'],
          subjects: [],
          parameters: params,
          sample_size: 10,
        },
        steadyRuns: 5,
        batches: [],
      };
    default:
      throw new Error(`no workload for ${id}`);
  }
}

const MB = 1024 * 1024;
/** Timed runs of each batch, after one untimed warm-up run; the median is reported. */
const BATCH_RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeRuns(n: number, run: () => Promise<unknown>): Promise<number[]> {
  const lat: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await run();
    lat.push(performance.now() - t);
  }
  return lat;
}

function errorsIn(output: unknown): number {
  return Array.isArray(output)
    ? output.filter((r) => r && typeof r === 'object' && 'error' in r && r.error).length
    : 0;
}

async function alone(id: string) {
  const rss0 = process.memoryUsage().rss / MB;
  // Load as a host thread pays it, minus the thread: import the model module, then load().
  const t0 = performance.now();
  const { builtinModels } = catalog();
  const importMs = performance.now() - t0;
  const def = builtinModels.find((m) => m.id === id)!;
  const model = await def.load();
  const loadMs = performance.now() - t0;
  const w = workload(id);
  const ctx = { signal: new AbortController().signal, progress: () => undefined };
  const rssLoaded = process.memoryUsage().rss / MB;
  const t1 = performance.now();
  await model.predict(w.typical as never, ctx);
  const firstMs = performance.now() - t1;
  const steady = await timeRuns(w.steadyRuns, () => model.predict(w.typical as never, ctx));
  const batches = [];
  for (const b of w.batches) {
    const output = await model.predict(b.input as never, ctx); // warm-up, not timed
    const times = await timeRuns(BATCH_RUNS, () => model.predict(b.input as never, ctx));
    batches.push({
      name: b.name,
      ms: median(times),
      runs: times,
      subjects: b.input.subjects.length,
      rowErrors: errorsIn(output),
    });
  }
  await model.unload?.();
  return {
    loadMs,
    importMs,
    firstMs,
    steady: latencySummary(steady),
    batches,
    rss: { before: rss0, loaded: rssLoaded },
  };
}

async function runtime(id: string) {
  const w = workload(id);
  // Load time as the runtime pays it: host thread start, module import, load(), ready message.
  const tLoad = performance.now();
  const host = await ModelHost.start({
    modulePath: catalog().builtinModulePath(),
    modelId: id,
    logger: silentLogger,
  });
  const loadMs = performance.now() - tLoad;
  await host.unload();
  const rt = new ModelRuntime({
    modules: [catalog().builtinModulePath()],
    logger: silentLogger,
    memoryHeadroomMb: 0,
  });
  await rt.start();
  const opts = { signal: new AbortController().signal, deadline: null };
  const rss0 = process.memoryUsage().rss / MB;
  const t1 = performance.now();
  await rt.run(id, w.typical, opts);
  const firstWithLoadMs = performance.now() - t1;
  const rssLoaded = process.memoryUsage().rss / MB;
  const steady = await timeRuns(w.steadyRuns, () => rt.run(id, w.typical, opts));
  const batches = [];
  for (const b of w.batches) {
    const output = await rt.run(id, b.input, opts); // warm-up, not timed
    const times = await timeRuns(BATCH_RUNS, () => rt.run(id, b.input, opts));
    batches.push({
      name: b.name,
      ms: median(times),
      runs: times,
      subjects: b.input.subjects.length,
      rowErrors: errorsIn(output),
    });
  }
  const measuredSizeMb = rt.stats().models[id]?.size_mb ?? null;
  await rt.close();
  return {
    loadMs,
    firstWithLoadMs,
    steady: latencySummary(steady),
    batches,
    measuredSizeMb,
    rss: { before: rss0, loaded: rssLoaded },
  };
}

async function idle() {
  const { Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const connection = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: null,
  });
  const worker = new Worker('property', async () => undefined, {
    connection,
    prefix: process.env.BENCH_PREFIX ?? 'bench-idle',
    concurrency: 8,
  });
  await worker.waitUntilReady();
  console.log('idle ready');
  await new Promise((r) => setTimeout(r, Number(process.env.BENCH_IDLE_MS ?? 3000)));
  await worker.close();
  connection.disconnect();
  return { rss: process.memoryUsage().rss / MB };
}

async function main(): Promise<void> {
  const result =
    mode === 'alone'
      ? await alone(modelId)
      : mode === 'idle'
        ? await idle()
        : await runtime(modelId);
  writeFileSync(out, JSON.stringify({ mode, modelId, ...result }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
