/**
 * Issue 5: worker overhead — per-job time outside the model, from BullMQ pickup to the record
 * stored, with the directory store and a no-op model; target p50 ≤ 2 ms. Baseline: a raw BullMQ
 * worker with an empty processor on the same jobs (pickup → completed). Two regimes: jobs
 * arriving at 100/s (each job alone: unloaded latency) and a queued backlog (saturation).
 * Plus the store alone: FsResultStore.put vs a plain writeFile.
 * Each measurement runs in its own process (bench/dist/worker-overhead-child.js).
 * Env: BENCH_REPS (5), BENCH_STAGE ('0': the worker puts the record after the claim instead of
 * staging it during the claim; passed on to the children).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { machineInfo, RESULTS_DIR, waitForQuiet } from './lib/env';
import { BENCH_DIST, spawnNode } from './lib/procs';
import { profileMarkdown, profilesIn } from './lib/profile';
import { cleanPrefix, newPrefix } from './lib/redis';
import { table, writeReport, type BenchReport } from './lib/report';
import { fmt, fmtSpread, ratio, spread, type LatencySummary } from './lib/stats';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const TARGET_P50_MS = 2;
const BACKLOG_JOBS = 3000;
const PACED_JOBS = 600;
const PACE = 100;

interface ChildResult {
  mode: string;
  pace: number;
  complete: boolean;
  jobs: number;
  jobsPerSecond: number;
  cpuMsPerJob: number;
  phases: Record<string, LatencySummary>;
}

async function runChild(
  mode: string,
  jobs: number,
  pace: number,
  nodeArgs?: string[],
): Promise<ChildResult> {
  const prefix = newPrefix(`wo-${mode}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'openad-bench-wo-'));
  const out = path.join(dir, 'out.json');
  const child = spawnNode({
    name: `wo-${mode}-${pace}`,
    script: path.join(BENCH_DIST, 'worker-overhead-child.js'),
    env: {
      BENCH_MODE: mode,
      BENCH_PREFIX: prefix,
      BENCH_RESULT_DIR: dir,
      BENCH_JOBS: String(jobs),
      BENCH_PACE: String(pace),
      BENCH_OUT: out,
      ...(process.env.BENCH_STAGE === undefined ? {} : { BENCH_STAGE: process.env.BENCH_STAGE }),
    },
    logDir: path.join(dir, 'logs'),
    ...(nodeArgs ? { nodeArgs } : {}),
  });
  const timer = setTimeout(() => void child.stop(1000), 180_000);
  const code = await child.exited;
  clearTimeout(timer);
  try {
    if (code !== 0) throw new Error(`${mode} child failed (${code}):\n${child.log().slice(-3000)}`);
    return JSON.parse(readFileSync(out, 'utf8')) as ChildResult;
  } finally {
    await cleanPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const first = await waitForQuiet('worker-overhead');
  const machine = await machineInfo(first.loadAvg);
  const loads: BenchReport['loads'] = [{ part: 'start', ...first }];
  const reps: Record<string, ChildResult>[] = [];
  const stores: Record<
    string,
    { latencyMs: LatencySummary; perSecond: number; cpuMsPerOp: number }
  >[] = [];
  for (let rep = 1; rep <= REPS; rep += 1) {
    if (rep > 1) loads.push({ part: `rep ${rep}`, ...(await waitForQuiet(`worker rep ${rep}`)) });
    const r = {
      servicePaced: await runChild('service', PACED_JOBS, PACE),
      rawPaced: await runChild('raw', PACED_JOBS, PACE),
      serviceBacklog: await runChild('service', BACKLOG_JOBS, 0),
      rawBacklog: await runChild('raw', BACKLOG_JOBS, 0),
    };
    reps.push(r);
    if (rep <= 3) {
      stores.push((await runChild('store', 1000, 0)) as unknown as (typeof stores)[number]);
    }
    console.log(
      `rep ${rep}: paced pickup→stored p50 ${fmt(r.servicePaced.phases.pickupToStored!.p50)} ms ` +
        `(raw pickup→completed ${fmt(r.rawPaced.phases.pickupToCompleted!.p50)}); backlog ` +
        `${fmt(r.serviceBacklog.jobsPerSecond)} jobs/s (raw ${fmt(r.rawBacklog.jobsPerSecond)})`,
    );
  }
  const ph = (k: string, phase: string, q: keyof LatencySummary) =>
    spread(reps.map((r) => r[k]!.phases[phase]?.[q] ?? Number.NaN));
  const phaseRows = (k: string) =>
    [
      ['pickup → stored (target figure)', 'pickupToStored'],
      ['  pickup → run called (parse, claim read, resolve)', 'pickupToRun'],
      ['  run: acquire + host-thread round trip + no-op predict', 'run'],
      ['  run returned → put or stage called (terminal claim, unless staged)', 'runToPut'],
      ['  store.put, or stage → commit (temp file, write, fsync, rename)', 'put'],
      ['pickup → stored, minus the run', 'outsideRun'],
      ['stored → BullMQ completed (done publish, log, moveToCompleted)', 'storedToCompleted'],
      ['pickup → BullMQ completed', 'pickupToCompleted'],
    ].map(([label, phase]) => [
      label!,
      fmtSpread(ph(k, phase!, 'p50')),
      fmtSpread(ph(k, phase!, 'p99')),
    ]);
  const s = {
    pacedP50: ph('servicePaced', 'pickupToStored', 'p50'),
    pacedP99: ph('servicePaced', 'pickupToStored', 'p99'),
    rawPacedP50: ph('rawPaced', 'pickupToCompleted', 'p50'),
    rawPacedP99: ph('rawPaced', 'pickupToCompleted', 'p99'),
    backlogP50: ph('serviceBacklog', 'pickupToStored', 'p50'),
    backlogP99: ph('serviceBacklog', 'pickupToStored', 'p99'),
    rawBacklogP50: ph('rawBacklog', 'pickupToCompleted', 'p50'),
    rawBacklogP99: ph('rawBacklog', 'pickupToCompleted', 'p99'),
    serviceJobsPerSecond: spread(reps.map((r) => r.serviceBacklog!.jobsPerSecond)),
    rawJobsPerSecond: spread(reps.map((r) => r.rawBacklog!.jobsPerSecond)),
    serviceCpuMsPerJob: spread(reps.map((r) => r.serviceBacklog!.cpuMsPerJob)),
    rawCpuMsPerJob: spread(reps.map((r) => r.rawBacklog!.cpuMsPerJob)),
    pacedRatio: spread(
      reps.map((r) =>
        ratio(
          r.servicePaced!.phases.pickupToStored!.p50,
          r.rawPaced!.phases.pickupToCompleted!.p50,
        ),
      ),
    ),
    throughputRatio: spread(
      reps.map((r) => ratio(r.serviceBacklog!.jobsPerSecond, r.rawBacklog!.jobsPerSecond)),
    ),
  };
  const st = (k: string, f: 'p50' | 'p99' | 'perSecond' | 'cpuMsPerOp') =>
    fmtSpread(
      spread(
        stores.map((x) => {
          const m = x[k]!;
          return f === 'perSecond' || f === 'cpuMsPerOp' ? m[f] : m.latencyMs[f];
        }),
      ),
    );
  let profiles: ReturnType<typeof profilesIn> = [];
  if (process.env.BENCH_PROFILE === '1') {
    const dir = path.join(RESULTS_DIR, 'profiles', `worker-overhead-${Date.now()}`);
    loads.push({ part: 'profile', ...(await waitForQuiet('worker profile')) });
    await runChild('service', BACKLOG_JOBS, 0, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    profiles = profilesIn(dir).filter((p) => p.summary.busyMs > 500);
  }
  const met = s.pacedP50.median <= TARGET_P50_MS;
  const md = [
    `Real WorkerService (OPENAD_ASYNC_MAX_WORKERS=8, property queue, LOG_LEVEL=info to a file),`,
    `no-op model in its host thread, directory store on the local disk; timings taken around the`,
    `runner and the store and from BullMQ's 'active'/'completed' events. Paced: ${PACED_JOBS} jobs`,
    `at ${PACE}/s after 300 warm-up jobs; backlog: ${BACKLOG_JOBS} jobs queued before the worker`,
    `starts (first 10% dropped). ${REPS} repetitions, each in a fresh process.`,
    '',
    ...table(
      ['figure', 'median (IQR; range; N)', 'unit'],
      [
        ['**service, paced: pickup → stored p50**', fmtSpread(s.pacedP50), 'ms'],
        ['service, paced: pickup → stored p99', fmtSpread(s.pacedP99), 'ms'],
        ['raw BullMQ, paced: pickup → completed p50', fmtSpread(s.rawPacedP50), 'ms'],
        ['raw BullMQ, paced: pickup → completed p99', fmtSpread(s.rawPacedP99), 'ms'],
        ['service p50 / raw p50 (paced, per rep)', fmtSpread(s.pacedRatio), 'ratio'],
        ['service, backlog: pickup → stored p50', fmtSpread(s.backlogP50), 'ms'],
        ['service, backlog: pickup → stored p99', fmtSpread(s.backlogP99), 'ms'],
        ['raw BullMQ, backlog: pickup → completed p50', fmtSpread(s.rawBacklogP50), 'ms'],
        ['raw BullMQ, backlog: pickup → completed p99', fmtSpread(s.rawBacklogP99), 'ms'],
        ['service, backlog throughput', fmtSpread(s.serviceJobsPerSecond), 'jobs/s'],
        ['raw BullMQ, backlog throughput', fmtSpread(s.rawJobsPerSecond), 'jobs/s'],
        ['service / raw throughput (per rep)', fmtSpread(s.throughputRatio, 3), 'ratio'],
        [
          'service worker CPU per job (backlog, main + threads)',
          fmtSpread(s.serviceCpuMsPerJob, 3),
          'ms',
        ],
        ['raw BullMQ worker CPU per job (backlog)', fmtSpread(s.rawCpuMsPerJob, 3), 'ms'],
      ],
    ),
    '',
    `Target: p50 ≤ ${TARGET_P50_MS} ms (paced, unloaded): **${met ? 'met' : 'missed'}** ` +
      `(${fmt(s.pacedP50.median)} ms` +
      (met ? ')' : `; over by ${fmt(s.pacedP50.median - TARGET_P50_MS)} ms)`),
    '',
    'Phases, paced (p50 and p99 of each phase; medians over reps):',
    '',
    ...table(['phase', 'p50 ms', 'p99 ms'], phaseRows('servicePaced')),
    '',
    'Phases, backlog (8 jobs at once, saturated):',
    '',
    ...table(['phase', 'p50 ms', 'p99 ms'], phaseRows('serviceBacklog')),
    '',
    'The store alone (1,000 records of one row each, local disk; 3 reps):',
    '',
    ...table(
      ['operation', 'p50 ms', 'p99 ms', 'ops/s', 'CPU ms/op'],
      [
        ['FsResultStore.put, one at a time', 'storePut'],
        ['FsResultStore.put, 8 at a time', 'storePutConcurrent8'],
        ['temp file + write + rename, no fsync', 'tempRenameNoFsync'],
        ['plain fs.writeFile, one at a time (baseline)', 'plainWriteFile'],
        ['plain fs.writeFile, 8 at a time', 'plainWriteFileConcurrent8'],
      ].map(([label, k]) => [
        label!,
        st(k!, 'p50'),
        st(k!, 'p99'),
        st(k!, 'perSecond'),
        st(k!, 'cpuMsPerOp'),
      ]),
    ),
    '',
    ...(profiles.length
      ? ['Profile of one service backlog run (worker process, main thread and model thread):', '']
      : []),
    ...profiles.flatMap((p) => profileMarkdown(p.name, p.summary)),
  ];
  await writeReport(
    {
      bench: 'worker-overhead',
      machine,
      loads,
      settings: { reps: REPS, backlogJobs: BACKLOG_JOBS, pacedJobs: PACED_JOBS, pace: PACE },
      results: { summary: s, reps, stores, profiles },
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
