/**
 * Issue 3 (model runtime), with the built-in models:
 * A. cold load time and steady predict latency per model, through the worker's model layer
 *    (ModelRuntime: host thread + resource manager) and the model alone in one thread
 *    (baseline); each in a fresh process, so every load is cold;
 * B. throughput on 1,000 SMILES with `get molecule rdkit`: through the real path (HTTP submit →
 *    worker → stored record: one request of 1,000 subjects, and 1,000 requests of one), the
 *    runtime, and the model alone (baseline);
 * C. worker RSS idle, with each model loaded, and at the limits (memory, model count),
 *    against an idle raw BullMQ worker process.
 * Env: BENCH_REPS (5).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { machineInfo, sleep, waitForQuiet } from './lib/env';
import { buildRequest, closedLoop, type Target } from './lib/http-load';
import { BENCH_DIST, rssMb, sampleRss, spawnNode } from './lib/procs';
import { cleanPrefix, newPrefix, subscribeDone } from './lib/redis';
import { table, writeReport, type BenchReport } from './lib/report';
import { requestIdOf, startService, type Service } from './lib/service';
import { HBA_HUMAN, smilesSet } from './lib/smiles';
import { fmt, fmtSpread, ratio, spread, type LatencySummary, type Spread } from './lib/stats';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const MODELS = ['rdkit-descriptors', 'protparam', 'graph-ga'] as const;
const MEMORY_LIMIT_MB = 110;
const LIMIT_ROUNDS = 6;
const logRoot = mkdtempSync(path.join(tmpdir(), 'openad-bench-models-'));

interface Probe {
  loadMs: number;
  firstMs?: number;
  firstWithLoadMs?: number;
  steady: LatencySummary;
  batches: { name: string; ms: number; subjects: number; rowErrors: number }[];
  measuredSizeMb?: number | null;
  rss: { before: number; loaded: number };
}

async function probe(
  mode: string,
  model: string,
  env: Record<string, string> = {},
): Promise<Probe & { rss: { before: number; loaded: number } }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'openad-bench-probe-'));
  const out = path.join(dir, 'out.json');
  const child = spawnNode({
    name: `probe-${mode}-${model}`,
    script: path.join(BENCH_DIST, 'model-probe.js'),
    args: [mode, model, out],
    env,
    logDir: dir,
  });
  const timer = setTimeout(() => void child.stop(1000), 300_000);
  const code = await child.exited;
  clearTimeout(timer);
  try {
    if (code !== 0)
      throw new Error(`probe ${mode} ${model} failed (${code}): ${child.log().slice(-2000)}`);
    return JSON.parse(readFileSync(out, 'utf8')) as Probe;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function body(o: {
  type: string;
  name: string;
  props: string[];
  subjects: unknown[];
  parameters?: Record<string, unknown>;
  sample_size?: number;
}): string {
  return JSON.stringify({
    service_type: o.type,
    service_name: o.name,
    parameters: { property_type: o.props, subjects: o.subjects, ...o.parameters },
    ...(o.sample_size ? { sample_size: o.sample_size } : {}),
    async: true,
    use_enhanced_async: true,
    timeout_seconds: 600,
  });
}

const rdkitBody = (subjects: string[], props: string[]) =>
  body({ type: 'get_molecule_property', name: 'get molecule rdkit', props, subjects });
const ALL_RDKIT = [
  'molecular_weight',
  'exact_mass',
  'logp',
  'molar_refractivity',
  'tpsa',
  'num_hbd',
  'num_hba',
  'num_rotatable_bonds',
  'num_heavy_atoms',
  'num_rings',
  'num_aromatic_rings',
  'fraction_csp3',
  'formal_charge',
  'canonical_smiles',
  'inchikey',
  'lipinski_violations',
  'qed',
];
const TYPICAL: Record<(typeof MODELS)[number], string> = {
  'rdkit-descriptors': rdkitBody(['CC(=O)OC1=CC=CC=C1C(=O)O'], ['molecular_weight', 'qed']),
  protparam: body({
    type: 'get_protein_property',
    name: 'get protein protparam',
    props: ['molecular_weight', 'isoelectric_point', 'gravy'],
    subjects: [HBA_HUMAN],
  }),
  'graph-ga': body({
    type: 'generate_data',
    name: 'generate with GraphGA',
    props: [],
    subjects: [],
    parameters: { generations: 5, population_size: 20 },
    sample_size: 5,
  }),
};

/** POSTs bodies and resolves when each has its record stored; returns ms from send to stored. */
async function submitAndWait(
  svc: Service,
  doneAt: Map<string, number>,
  bodies: string[],
  connections: number,
): Promise<{ ms: number; accepted: number; stored: number; ids: string[] }> {
  const target: Target = { host: '127.0.0.1', port: svc.port };
  const reqs = bodies.map((b) => buildRequest(target, 'POST', '/service', b));
  const ids: string[] = [];
  const t0 = performance.now();
  await closedLoop({
    target,
    connections: Math.min(connections, bodies.length),
    request: (i) => reqs[i]!,
    total: bodies.length,
    onResponse: (_i, status, b) => {
      const id = status === 200 ? requestIdOf(b) : null;
      if (id) ids.push(id);
    },
  });
  const end = Date.now() + 300_000;
  while (!ids.every((id) => doneAt.has(id)) && Date.now() < end) await sleep(5);
  let last = 0;
  let stored = 0;
  for (const id of ids) {
    const d = doneAt.get(id);
    if (d !== undefined) {
      stored += 1;
      last = Math.max(last, d);
    }
  }
  return { ms: last - t0, accepted: ids.length, stored, ids };
}

async function statsModels(svc: Service): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${svc.port}/async/stats`);
  const s = (await res.json()) as Record<string, { models?: unknown }>;
  return { property: s.property_service?.models, generation: s.generation_service?.models };
}

/** Whether each request ended `completed` (reads the status of each id once). */
async function endings(svc: Service, ids: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of ids) {
    const r = await fetch(`http://127.0.0.1:${svc.port}/async/status/${id}`);
    const status = ((await r.json()) as { status?: string }).status ?? `http ${r.status}`;
    out[status] = (out[status] ?? 0) + 1;
  }
  return out;
}

/**
 * A worker with a limit cycling through the three models (each round: an rdkit batch of 1,000 ×
 * 17, which grows RDKit's wasm heap, then protparam, then graph-ga), sampling its RSS.
 */
async function atLimit(env: Record<string, string>): Promise<Record<string, unknown>> {
  const prefix = newPrefix('models-limit');
  const svc = await startService({ prefix, logDir: path.join(logRoot, prefix), plugins: [], env });
  const doneAt = new Map<string, number>();
  const sub = await subscribeDone(prefix, (id, at) => doneAt.set(id, at));
  try {
    await sleep(1500);
    const w = svc.workers[0]!;
    const idle = rssMb(w.pid);
    const sampler = sampleRss({ worker: w.pid }, 100);
    const batch = rdkitBody(smilesSet(1000), ALL_RDKIT);
    const ids: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < LIMIT_ROUNDS; i += 1) {
      for (const b of [batch, TYPICAL.protparam, TYPICAL['graph-ga']]) {
        ids.push(...(await submitAndWait(svc, doneAt, [b], 1)).ids);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const samples = sampler.stop().worker!;
    return {
      env,
      rounds: LIMIT_ROUNDS,
      seconds,
      idleRss: idle,
      rssMedian: spread(samples).median,
      rssMax: Math.max(...samples),
      endings: await endings(svc, ids),
      cache: cacheBrief(await statsModels(svc)),
    };
  } finally {
    await sub.close();
    await svc.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const first = await waitForQuiet('models');
  const machine = await machineInfo(first.loadAvg);
  const loads: BenchReport['loads'] = [{ part: 'start', ...first }];

  // A. Cold load and steady latency, fresh process each.
  const probes: Record<string, { alone: Probe; runtime: Probe }[]> = {};
  for (let rep = 1; rep <= REPS; rep += 1) {
    loads.push({ part: `A rep ${rep}`, ...(await waitForQuiet(`models A rep ${rep}`)) });
    for (const m of MODELS) {
      const alone = await probe('alone', m);
      const runtime = await probe('runtime', m);
      (probes[m] ??= []).push({ alone, runtime });
    }
    console.log(
      `A rep ${rep}: ` +
        MODELS.map(
          (m) =>
            `${m} load ${fmt(probes[m]!.at(-1)!.runtime.loadMs)} ms (alone ${fmt(probes[m]!.at(-1)!.alone.loadMs)})`,
        ).join(', '),
    );
  }

  // B + C. The real path: api + one worker (concurrency 8) with the built-ins only.
  loads.push({ part: 'B', ...(await waitForQuiet('models B')) });
  const prefix = newPrefix('models');
  const svc = await startService({ prefix, logDir: path.join(logRoot, prefix), plugins: [] });
  const doneAt = new Map<string, number>();
  const sub = await subscribeDone(prefix, (id, at) => doneAt.set(id, at));
  const smiles = smilesSet(1000);
  const worker = svc.workers[0]!;
  const rss: Record<string, number> = {};
  const sizes: Record<string, unknown> = {};
  const http: { one2: number; one17: number; many: number }[] = [];
  try {
    await sleep(1500);
    rss.idle = rssMb(worker.pid);
    // C. Load each model in turn (a typical request each) and read RSS after it.
    for (const m of MODELS) {
      await submitAndWait(svc, doneAt, [TYPICAL[m]], 1);
      await sleep(500);
      rss[`+ ${m}`] = rssMb(worker.pid);
    }
    sizes.afterLoads = await statsModels(svc);
    // B. Warm: one batch, then measure.
    await submitAndWait(svc, doneAt, [rdkitBody(smiles, ALL_RDKIT)], 1);
    await sleep(500);
    rss['+ rdkit 1,000 × 17 batch'] = rssMb(worker.pid);
    const manyBodies = smiles.map((s) => rdkitBody([s], ['molecular_weight', 'qed']));
    for (let rep = 1; rep <= REPS; rep += 1) {
      loads.push({ part: `B rep ${rep}`, ...(await waitForQuiet(`models B rep ${rep}`)) });
      const one2 = await submitAndWait(
        svc,
        doneAt,
        [rdkitBody(smiles, ['molecular_weight', 'qed'])],
        1,
      );
      const one17 = await submitAndWait(svc, doneAt, [rdkitBody(smiles, ALL_RDKIT)], 1);
      const many = await submitAndWait(svc, doneAt, manyBodies, 16);
      http.push({ one2: one2.ms, one17: one17.ms, many: many.ms });
      console.log(
        `B rep ${rep}: 1×1000 (2 props) ${fmt(one2.ms)} ms, 1×1000 (17) ${fmt(one17.ms)} ms, ` +
          `1000×1 ${fmt(many.ms)} ms (${many.stored}/${many.accepted} stored)`,
      );
    }
    rss.afterAll = rssMb(worker.pid);
  } finally {
    await sub.close();
    await svc.stop();
  }

  // C. At the limits: memory (rdkit's declared 110 MB must fit, so 110; the three measured sizes
  // then just fit) and count (2 slots for 3 models: every request of the cycle evicts).
  const limits: Record<string, Record<string, unknown>> = {};
  for (const [name, env] of [
    [`max_memory_mb=${MEMORY_LIMIT_MB}`, { OPENAD_ASYNC_MAX_MEMORY_MB: String(MEMORY_LIMIT_MB) }],
    ['max_models=2', { OPENAD_ASYNC_MAX_MODELS: '2' }],
  ] as const) {
    loads.push({ part: `C ${name}`, ...(await waitForQuiet(`models C ${name}`)) });
    limits[name] = await atLimit(env);
    console.log(`C ${name}: ${JSON.stringify(limits[name])}`);
  }

  // Baseline for worker RSS: an idle raw BullMQ worker process.
  const idleBase: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const p = newPrefix('models-idle');
    idleBase.push((await probe('idle', 'none', { BENCH_PREFIX: p })).rss as unknown as number);
    await cleanPrefix(p);
  }

  // Tables.
  const col = (m: string, f: (x: { alone: Probe; runtime: Probe }) => number): Spread =>
    spread(probes[m]!.map(f));
  const rowsA = MODELS.flatMap((m) => {
    const loadR = col(m, (x) => x.runtime.loadMs);
    const loadA = col(m, (x) => x.alone.loadMs);
    const p50R = col(m, (x) => x.runtime.steady.p50);
    const p50A = col(m, (x) => x.alone.steady.p50);
    const p99R = col(m, (x) => x.runtime.steady.p99);
    const p99A = col(m, (x) => x.alone.steady.p99);
    return [
      [
        m,
        'cold load (runtime: thread start → ready)',
        fmtSpread(loadR),
        fmtSpread(loadA),
        fmt(ratio(loadR.median, loadA.median), 2),
      ],
      [
        m,
        'first run incl. load (runtime) / first predict (alone)',
        fmtSpread(col(m, (x) => x.runtime.firstWithLoadMs ?? Number.NaN)),
        fmtSpread(col(m, (x) => x.alone.firstMs ?? Number.NaN)),
        '–',
      ],
      [
        m,
        'steady predict p50',
        fmtSpread(p50R),
        fmtSpread(p50A),
        fmt(ratio(p50R.median, p50A.median), 2),
      ],
      [
        m,
        'steady predict p99',
        fmtSpread(p99R),
        fmtSpread(p99A),
        fmt(ratio(p99R.median, p99A.median), 2),
      ],
    ];
  });
  const batch = (name: string, which: 'alone' | 'runtime') =>
    spread(
      probes['rdkit-descriptors']!.map(
        (x) => x[which].batches.find((b) => b.name === name)?.ms ?? Number.NaN,
      ),
    );
  const alone2 = batch('1000 SMILES x 2 properties', 'alone');
  const alone17 = batch('1000 SMILES x 17 properties', 'alone');
  const rt2 = batch('1000 SMILES x 2 properties', 'runtime');
  const rt17 = batch('1000 SMILES x 17 properties', 'runtime');
  const one2 = spread(http.map((h) => h.one2));
  const one17 = spread(http.map((h) => h.one17));
  const many = spread(http.map((h) => h.many));
  const perS = (ms: Spread) => fmt((1000 / ms.median) * 1000);
  const rowsB = [
    ['model alone, one predict of 1,000 × 2 properties', fmtSpread(alone2), perS(alone2), '1.00'],
    [
      'runtime (host thread), one run of 1,000 × 2',
      fmtSpread(rt2),
      perS(rt2),
      fmt(ratio(alone2.median, rt2.median), 2),
    ],
    [
      'HTTP → worker → record: 1 request of 1,000 × 2',
      fmtSpread(one2),
      perS(one2),
      fmt(ratio(alone2.median, one2.median), 2),
    ],
    [
      'HTTP → worker → record: 1,000 requests of 1 × 2 (16 conns)',
      fmtSpread(many),
      perS(many),
      fmt(ratio(alone2.median, many.median), 2),
    ],
    [
      'model alone, one predict of 1,000 × 17 properties',
      fmtSpread(alone17),
      perS(alone17),
      '1.00',
    ],
    [
      'runtime (host thread), one run of 1,000 × 17',
      fmtSpread(rt17),
      perS(rt17),
      fmt(ratio(alone17.median, rt17.median), 2),
    ],
    [
      'HTTP → worker → record: 1 request of 1,000 × 17',
      fmtSpread(one17),
      perS(one17),
      fmt(ratio(alone17.median, one17.median), 2),
    ],
  ];
  const idleB = spread(idleBase);
  const md = [
    'A. Cold load and steady predict latency (fresh process per measurement; "runtime" = the',
    'worker\'s ModelRuntime: host thread + resource manager; "alone" = load() and predict() called in',
    `one thread, the baseline). Typical requests: rdkit aspirin × (molecular_weight, qed); protparam`,
    `HBA_HUMAN (142 aa) × all 10 properties; graph-ga defaults (20 generations × 50, sample_size 10).`,
    `Steady: 200 runs (graph-ga: 5). ${REPS} repetitions.`,
    '',
    ...table(['model', 'figure (ms)', 'runtime', 'alone (baseline)', 'runtime / alone'], rowsA),
    '',
    `B. get molecule rdkit on 1,000 distinct drug-like SMILES (bench/src/lib/smiles.ts, all valid),`,
    `api + 1 worker process (concurrency 8, LOG_LEVEL=info), warm model; time from the first POST to`,
    `the last record stored. ${REPS} repetitions.`,
    '',
    ...table(['path', 'ms for 1,000 SMILES', 'SMILES/s', 'throughput / model alone'], rowsB),
    '',
    'C. Worker RSS (whole process, all threads; real worker process, built-ins):',
    '',
    ...table(
      ['state', 'worker RSS MB'],
      [
        ['idle raw BullMQ worker process (baseline, 3 runs)', fmtSpread(idleB)],
        ...Object.entries(rss).map(([k, v]) => [k, fmt(v)]),
      ],
    ),
    '',
    `At the limits: ${LIMIT_ROUNDS} rounds of (rdkit 1,000 × 17 batch, protparam, graph-ga 5 × 20) on a`,
    `fresh worker per limit; max_memory_mb=${MEMORY_LIMIT_MB} is the least that admits rdkit's declared 110 MB.`,
    '',
    ...table(
      [
        'limit',
        'RSS idle',
        'RSS median',
        'RSS max',
        'max − idle',
        'request endings',
        'cache at the end',
      ],
      Object.entries(limits).map(([name, l]) => [
        name,
        `${fmt(l.idleRss as number)} MB`,
        `${fmt(l.rssMedian as number)} MB`,
        `${fmt(l.rssMax as number)} MB`,
        `${fmt((l.rssMax as number) - (l.idleRss as number))} MB`,
        `\`${JSON.stringify(l.endings)}\``,
        `\`${JSON.stringify(l.cache)}\``,
      ]),
    ),
  ];
  await writeReport(
    {
      bench: 'models',
      machine,
      loads,
      settings: { reps: REPS, memoryLimitMb: MEMORY_LIMIT_MB },
      results: { probes, http, rss, sizes, limits, idleBaselineRss: idleBase },
      durationS: (Date.now() - started) / 1000,
    },
    md,
  );
}

function cacheBrief(cache: unknown): Record<string, unknown> {
  const c = cache as Record<
    string,
    | {
        evictions?: number;
        misses?: number;
        hits?: number;
        total_memory_mb?: number;
        models?: Record<string, { size_mb: number }>;
      }
    | undefined
  >;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (!v) continue;
    out[k] = {
      hits: v.hits,
      misses: v.misses,
      evictions: v.evictions,
      loaded_mb: v.total_memory_mb,
      sizes: Object.fromEntries(Object.entries(v.models ?? {}).map(([id, m]) => [id, m.size_mb])),
    };
  }
  return out;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
