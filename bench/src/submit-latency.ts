/**
 * Issue 5: submit latency (POST /service, enhanced async, until the request_id answer) at a
 * fixed offered load of 500 req/s, open loop (latency from each request's due time, so server
 * queueing is not hidden), with a worker draining the queue; target p99 ≤ 20 ms. Baseline in
 * the same run at the same rate: the Express endpoint doing only a raw BullMQ queue.add.
 * Env: BENCH_REPS (5), BENCH_RATE (500), BENCH_SECONDS (15).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { cpuMeter, redisServerPid } from './lib/cpu';
import { machineInfo, RESULTS_DIR, sleep, waitForQuiet } from './lib/env';
import { buildRequest, openLoop, type LoadResult, type Target } from './lib/http-load';
import { profileMarkdown, profilesIn } from './lib/profile';
import { newPrefix } from './lib/redis';
import { table, writeReport, type BenchReport } from './lib/report';
import { noopSubmitBody, startBaseline, startService } from './lib/service';
import { fmt, fmtSpread, latencySummary, ratio, spread } from './lib/stats';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_MS = 3000;
const TARGET_P99_MS = 20;
const logRoot = mkdtempSync(path.join(tmpdir(), 'openad-bench-latency-'));

function summarize(r: LoadResult, cpu: Record<string, number>) {
  return {
    latencyMs: latencySummary(r.latenciesMs),
    serviceTimeMs: latencySummary(r.serviceMs ?? []),
    statuses: r.statuses,
    errors: r.errors,
    sentRps: r.sentRps,
    cpuCoresBusy: Object.fromEntries(
      Object.entries(cpu).map(([k, s]) => [k, s / ((WARMUP_MS + SECONDS * 1000) / 1000)]),
    ),
  };
}

async function load(target: Target) {
  const req = buildRequest(target, 'POST', '/service', noopSubmitBody());
  return openLoop({
    target,
    rate: RATE,
    warmupMs: WARMUP_MS,
    durationMs: SECONDS * 1000,
    request: () => req,
  });
}

async function service(nodeArgs?: string[]) {
  const prefix = newPrefix('latency');
  const svc = await startService({
    prefix,
    logDir: path.join(logRoot, prefix),
    ...(nodeArgs ? { nodeArgs } : {}),
  });
  try {
    await sleep(500);
    const meter = cpuMeter({
      api: svc.api.pid,
      worker: svc.workers[0]!.pid,
      redis: await redisServerPid(),
    });
    const r = await load({ host: '127.0.0.1', port: svc.port });
    return summarize(r, meter.stop());
  } finally {
    await svc.stop();
  }
}

async function ceiling() {
  const prefix = newPrefix('latency-ceiling');
  const server = await startBaseline('express-queue', { prefix, logDir: logRoot });
  try {
    const meter = cpuMeter({ server: server.child.pid, redis: await redisServerPid() });
    const r = await load({ host: '127.0.0.1', port: server.port });
    return summarize(r, meter.stop());
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const first = await waitForQuiet('submit-latency');
  const machine = await machineInfo(first.loadAvg);
  const loads: BenchReport['loads'] = [{ part: 'start', ...first }];
  const reps: {
    service: Awaited<ReturnType<typeof service>>;
    ceiling: Awaited<ReturnType<typeof ceiling>>;
  }[] = [];
  for (let rep = 1; rep <= REPS; rep += 1) {
    if (rep > 1) loads.push({ part: `rep ${rep}`, ...(await waitForQuiet(`latency rep ${rep}`)) });
    const s = await service();
    const c = await ceiling();
    reps.push({ service: s, ceiling: c });
    console.log(
      `rep ${rep}: service p50 ${fmt(s.latencyMs.p50)} p99 ${fmt(s.latencyMs.p99)} ms; ` +
        `ceiling p50 ${fmt(c.latencyMs.p50)} p99 ${fmt(c.latencyMs.p99)} ms`,
    );
  }
  const q = (k: 'service' | 'ceiling', f: 'p50' | 'p90' | 'p99' | 'p999' | 'max') =>
    spread(reps.map((r) => r[k].latencyMs[f]));
  const s = {
    p50: q('service', 'p50'),
    p90: q('service', 'p90'),
    p99: q('service', 'p99'),
    p999: q('service', 'p999'),
    max: q('service', 'max'),
    ceilingP50: q('ceiling', 'p50'),
    ceilingP90: q('ceiling', 'p90'),
    ceilingP99: q('ceiling', 'p99'),
    ceilingMax: q('ceiling', 'max'),
    ratioP50: spread(reps.map((r) => ratio(r.service.latencyMs.p50, r.ceiling.latencyMs.p50))),
    ratioP99: spread(reps.map((r) => ratio(r.service.latencyMs.p99, r.ceiling.latencyMs.p99))),
    sentRps: spread(reps.map((r) => r.service.sentRps ?? Number.NaN)),
    apiCores: spread(reps.map((r) => r.service.cpuCoresBusy.api ?? Number.NaN)),
    workerCores: spread(reps.map((r) => r.service.cpuCoresBusy.worker ?? Number.NaN)),
    redisCores: spread(reps.map((r) => r.service.cpuCoresBusy.redis ?? Number.NaN)),
    errors: reps.reduce((n, r) => n + r.service.errors, 0),
    non200: reps.reduce(
      (n, r) =>
        n + Object.entries(r.service.statuses).reduce((m, [k, v]) => m + (k === '200' ? 0 : v), 0),
      0,
    ),
  };
  let profiles: ReturnType<typeof profilesIn> = [];
  if (process.env.BENCH_PROFILE === '1') {
    const dir = path.join(RESULTS_DIR, 'profiles', `submit-latency-${Date.now()}`);
    loads.push({ part: 'profile', ...(await waitForQuiet('latency profile')) });
    const p = await service(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    console.log(`profiled run: p50 ${fmt(p.latencyMs.p50)} p99 ${fmt(p.latencyMs.p99)} ms`);
    profiles = profilesIn(dir);
  }
  const met = s.p99.median <= TARGET_P99_MS;
  const md = [
    `Open loop at ${RATE} req/s for ${SECONDS} s after ${WARMUP_MS / 1000} s of warm-up, raw-socket client`,
    `in its own process; service = real api + 1 worker (concurrency 8, no-op model) draining the`,
    `queue, LOG_LEVEL=info; latency from each request's due time to its answer. ${REPS} repetitions.`,
    '',
    ...table(
      ['figure', 'median (IQR; range; N)', 'unit'],
      [
        ['service submit p50', fmtSpread(s.p50), 'ms'],
        ['service submit p90', fmtSpread(s.p90), 'ms'],
        ['**service submit p99**', fmtSpread(s.p99), 'ms'],
        ['service submit p99.9', fmtSpread(s.p999), 'ms'],
        ['service submit max', fmtSpread(s.max), 'ms'],
        ['ceiling (Express + queue.add) p50', fmtSpread(s.ceilingP50), 'ms'],
        ['ceiling p90', fmtSpread(s.ceilingP90), 'ms'],
        ['ceiling p99', fmtSpread(s.ceilingP99), 'ms'],
        ['ceiling max', fmtSpread(s.ceilingMax), 'ms'],
        ['service / ceiling, p50 (per rep)', fmtSpread(s.ratioP50), 'ratio'],
        ['service / ceiling, p99 (per rep)', fmtSpread(s.ratioP99), 'ratio'],
        ['offered rate achieved', fmtSpread(s.sentRps), 'req/s'],
        ['api CPU at this load', fmtSpread(s.apiCores), 'cores'],
        ['worker CPU at this load', fmtSpread(s.workerCores), 'cores'],
        ['Redis CPU at this load', fmtSpread(s.redisCores), 'cores'],
      ],
    ),
    '',
    `Errors: ${s.errors} connection errors, ${s.non200} non-200 answers over all reps.`,
    '',
    `Target: p99 ≤ ${TARGET_P99_MS} ms: **${met ? 'met' : 'missed'}** (${fmt(s.p99.median)} ms` +
      (met ? ')' : `; over by ${fmt(s.p99.median - TARGET_P99_MS)} ms)`),
    '',
    ...profiles.flatMap((p) => profileMarkdown(p.name, p.summary)),
  ];
  await writeReport(
    {
      bench: 'submit-latency',
      machine,
      loads,
      settings: { reps: REPS, rate: RATE, seconds: SECONDS, warmupMs: WARMUP_MS },
      results: { summary: s, reps, profiles },
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
