/**
 * Issue 5: status reads — GET /async/status/:id req/s against a bare Express endpoint answering
 * the same JSON body (a real record fetched from the service), same run; target ≥ 60%.
 * Reads cycle over 2,000 completed requests, then over 2,000 pending ones (worker stopped: Redis
 * only). Completed reads are measured twice: as deployed (the api's record cache on, so after
 * the warm-up's first pass every read is a repeated poll answered from memory) and with
 * OPENAD_ASYNC_RECORD_CACHE_MB=0 (every read is the first: one Redis lookup, then the record
 * from the directory store). Closed loop, 32 connections, 1 s warm-up + 5 s, repetitions
 * interleaved.
 * Env: BENCH_REPS (5), BENCH_CONNECTIONS (32).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { cpuMeter, redisServerPid } from './lib/cpu';
import { machineInfo, RESULTS_DIR, sleep, waitForQuiet } from './lib/env';
import { buildRequest, closedLoop, type Target } from './lib/http-load';
import { profileMarkdown, profilesIn } from './lib/profile';
import { newPrefix, subscribeDone } from './lib/redis';
import { table, writeReport, type BenchReport } from './lib/report';
import { noopSubmitBody, requestIdOf, startBaseline, startService } from './lib/service';
import { fmt, fmtSpread, latencySummary, ratio, spread } from './lib/stats';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const IDS = 2000;
const TARGET_RATIO = 0.6;
const logRoot = mkdtempSync(path.join(tmpdir(), 'openad-bench-status-'));

async function submitMany(target: Target, n: number): Promise<string[]> {
  const req = buildRequest(target, 'POST', '/service', noopSubmitBody());
  const ids: string[] = [];
  await closedLoop({
    target,
    connections: 16,
    request: () => req,
    total: n,
    onResponse: (_i, status, body) => {
      const id = status === 200 ? requestIdOf(body) : null;
      if (id) ids.push(id);
    },
  });
  return ids;
}

async function reads(target: Target, ids: string[], pids: Record<string, number | null>) {
  const reqs = ids.map((id) => buildRequest(target, 'GET', `/async/status/${id}`));
  const meter = cpuMeter(pids);
  const r = await closedLoop({
    target,
    connections: CONNECTIONS,
    request: (i) => reqs[i % reqs.length]!,
    warmupMs: 1000,
    durationMs: 5000,
  });
  const cpu = meter.stop();
  return {
    rps: r.rps,
    latencyMs: latencySummary(r.latenciesMs),
    statuses: r.statuses,
    errors: r.errors,
    cpuMsPerRead: Object.fromEntries(Object.entries(cpu).map(([k, s]) => [k, (s * 1000) / r.sent])),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const first = await waitForQuiet('status');
  const machine = await machineInfo(first.loadAvg);
  const loads: BenchReport['loads'] = [{ part: 'start', ...first }];
  const prefix = newPrefix('status');
  const profileDir = path.join(RESULTS_DIR, 'profiles', `status-${Date.now()}`);
  const profile = process.env.BENCH_PROFILE === '1';
  const svc = await startService({
    prefix,
    logDir: path.join(logRoot, prefix),
    // The api is profiled over the whole run (reads dominate it); profiling slows it, so the
    // req/s of a profiled run are not the figures reported.
    ...(profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
  });
  const target: Target = { host: '127.0.0.1', port: svc.port };
  const noCachePrefix = `${prefix}-nocache`;
  const svcNoCache = await startService({
    prefix: noCachePrefix,
    logDir: path.join(logRoot, noCachePrefix),
    env: { OPENAD_ASYNC_RECORD_CACHE_MB: '0' },
  });
  const noCacheTarget: Target = { host: '127.0.0.1', port: svcNoCache.port };
  const redisPid = await redisServerPid();
  const done = new Set<string>();
  const sub = await subscribeDone(prefix, (id) => done.add(id));
  const subNoCache = await subscribeDone(noCachePrefix, (id) => done.add(id));
  let baseline: Awaited<ReturnType<typeof startBaseline>> | null = null;
  try {
    const completedIds = await submitMany(target, IDS);
    const noCacheIds = await submitMany(noCacheTarget, IDS);
    const end = Date.now() + 60_000;
    while (![...completedIds, ...noCacheIds].every((id) => done.has(id)) && Date.now() < end)
      await sleep(50);
    // The uncached service only serves completed reads; its worker and api stay idle otherwise.
    await svcNoCache.workers[0]!.stop();
    const sample = await fetch(`http://127.0.0.1:${svc.port}/async/status/${completedIds[0]}`);
    const statusBody = await sample.text();
    baseline = await startBaseline('express', {
      prefix: `${prefix}-base`,
      logDir: logRoot,
      statusBody,
    });
    const base: Target = { host: '127.0.0.1', port: baseline.port };
    const baseIds = completedIds.slice(0, 1);

    type Reads = Awaited<ReturnType<typeof reads>>;
    const completed: { service: Reads; express: Reads; noCache?: Reads }[] = [];
    for (let rep = 1; rep <= REPS; rep += 1) {
      loads.push({ part: `completed ${rep}`, ...(await waitForQuiet(`status rep ${rep}`)) });
      const service = await reads(target, completedIds, { api: svc.api.pid, redis: redisPid });
      const express = await reads(base, baseIds, { server: baseline.child.pid });
      const noCache = await reads(noCacheTarget, noCacheIds, {
        api: svcNoCache.api.pid,
        redis: redisPid,
      });
      completed.push({ service, express, noCache });
      console.log(
        `completed rep ${rep}: service ${fmt(service.rps)} req/s, bare Express ${fmt(express.rps)}, ` +
          `cache off ${fmt(noCache.rps)}`,
      );
    }

    // Pending: no worker, so the new requests stay queued.
    await svc.workers[0]!.stop();
    const pendingIds = await submitMany(target, IDS);
    const pending: typeof completed = [];
    for (let rep = 1; rep <= Math.min(3, REPS); rep += 1) {
      loads.push({ part: `pending ${rep}`, ...(await waitForQuiet(`status pending ${rep}`)) });
      const service = await reads(target, pendingIds, { api: svc.api.pid, redis: redisPid });
      const express = await reads(base, baseIds, { server: baseline.child.pid });
      pending.push({ service, express });
      console.log(
        `pending rep ${rep}: service ${fmt(service.rps)} req/s, bare Express ${fmt(express.rps)}`,
      );
    }

    const sp = (xs: typeof completed, f: (x: (typeof completed)[number]) => number) =>
      spread(xs.map(f));
    const s = {
      completed: sp(completed, (x) => x.service.rps),
      express: sp(completed, (x) => x.express.rps),
      ratio: sp(completed, (x) => ratio(x.service.rps, x.express.rps)),
      completedP50: sp(completed, (x) => x.service.latencyMs.p50),
      completedP99: sp(completed, (x) => x.service.latencyMs.p99),
      expressP99: sp(completed, (x) => x.express.latencyMs.p99),
      noCache: sp(completed, (x) => x.noCache?.rps ?? Number.NaN),
      noCacheRatio: sp(completed, (x) => ratio(x.noCache?.rps ?? Number.NaN, x.express.rps)),
      noCacheP99: sp(completed, (x) => x.noCache?.latencyMs.p99 ?? Number.NaN),
      noCacheApiCpuMs: sp(completed, (x) => x.noCache?.cpuMsPerRead.api ?? Number.NaN),
      noCacheRedisCpuMs: sp(completed, (x) => x.noCache?.cpuMsPerRead.redis ?? Number.NaN),
      pending: sp(pending, (x) => x.service.rps),
      pendingExpress: sp(pending, (x) => x.express.rps),
      pendingRatio: sp(pending, (x) => ratio(x.service.rps, x.express.rps)),
      apiCpuMs: sp(completed, (x) => x.service.cpuMsPerRead.api ?? Number.NaN),
      redisCpuMs: sp(completed, (x) => x.service.cpuMsPerRead.redis ?? Number.NaN),
      expressCpuMs: sp(completed, (x) => x.express.cpuMsPerRead.server ?? Number.NaN),
      pendingApiCpuMs: sp(pending, (x) => x.service.cpuMsPerRead.api ?? Number.NaN),
      non200: [...completed, ...pending]
        .flatMap((x) => (x.noCache ? [x.service, x.noCache] : [x.service]))
        .reduce(
          (n, r) =>
            n +
            r.errors +
            Object.entries(r.statuses).reduce((m, [k, v]) => m + (k === '200' ? 0 : v), 0),
          0,
        ),
    };
    const met = s.ratio.median >= TARGET_RATIO;
    // The api writes its profile when it exits.
    let profiles: ReturnType<typeof profilesIn> = [];
    if (profile) {
      await svc.api.stop();
      profiles = profilesIn(profileDir).filter((p) => p.summary.busyMs > 1000);
    }
    const md = [
      `Closed loop, ${CONNECTIONS} connections, 1 s warm-up + 5 s per measurement, client in its own`,
      `process; api (LOG_LEVEL=info) reading ${IDS} ids round-robin; bare Express answers the same`,
      `${statusBody.length}-byte record body from memory. Completed: ${REPS} reps; pending: ${Math.min(3, REPS)}.`,
      '',
      ...table(
        ['figure', 'median (IQR; range; N)', 'unit'],
        [
          ['status reads, completed requests', fmtSpread(s.completed), 'req/s'],
          ['bare Express JSON endpoint', fmtSpread(s.express), 'req/s'],
          ['**completed / bare Express** (per rep)', fmtSpread(s.ratio, 3), 'ratio'],
          ['status read latency p50 (completed, 32 conns)', fmtSpread(s.completedP50), 'ms'],
          ['status read latency p99 (completed, 32 conns)', fmtSpread(s.completedP99), 'ms'],
          ['bare Express latency p99', fmtSpread(s.expressP99), 'ms'],
          [
            'status reads, completed, record cache off (every read the first)',
            fmtSpread(s.noCache),
            'req/s',
          ],
          ['cache off / bare Express (per rep)', fmtSpread(s.noCacheRatio, 3), 'ratio'],
          ['cache off latency p99', fmtSpread(s.noCacheP99), 'ms'],
          ['api CPU per read (cache off)', fmtSpread(s.noCacheApiCpuMs, 3), 'ms'],
          ['Redis CPU per read (cache off)', fmtSpread(s.noCacheRedisCpuMs, 3), 'ms'],
          ['status reads, pending requests', fmtSpread(s.pending), 'req/s'],
          ['bare Express (same reps)', fmtSpread(s.pendingExpress), 'req/s'],
          ['pending / bare Express (per rep)', fmtSpread(s.pendingRatio, 3), 'ratio'],
          ['api CPU per read (completed)', fmtSpread(s.apiCpuMs, 3), 'ms'],
          ['Redis CPU per read (completed)', fmtSpread(s.redisCpuMs, 3), 'ms'],
          ['bare Express CPU per read', fmtSpread(s.expressCpuMs, 3), 'ms'],
          ['api CPU per read (pending)', fmtSpread(s.pendingApiCpuMs, 3), 'ms'],
        ],
      ),
      '',
      `Non-200 answers or errors: ${s.non200}.`,
      '',
      `Target: ≥ ${TARGET_RATIO * 100}% of bare Express: **${met ? 'met' : 'missed'}** ` +
        `(${fmt(s.ratio.median * 100, 1)}%` +
        (met
          ? ')'
          : `; short by ${fmt((TARGET_RATIO - s.ratio.median) * s.express.median)} req/s, ×${fmt(TARGET_RATIO / s.ratio.median, 2)} needed)`),
      '',
      ...(profile
        ? ['Profiled run (figures above come from it, slowed by the profiler):', '']
        : []),
      ...profiles.flatMap((p) => profileMarkdown(p.name, p.summary)),
    ];
    await writeReport(
      {
        bench: profile ? 'status-profiled' : 'status',
        machine,
        loads,
        settings: {
          reps: REPS,
          connections: CONNECTIONS,
          ids: IDS,
          statusBodyBytes: statusBody.length,
        },
        results: { summary: s, completed, pending, profiles },
        durationS: (Date.now() - started) / 1000,
      },
      md,
    );
  } finally {
    await sub.close();
    await subNoCache.close();
    await baseline?.stop();
    await svcNoCache.stop();
    await svc.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
