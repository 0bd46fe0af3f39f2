/**
 * Issue 5: end-to-end throughput (HTTP submission → stored record) with a no-op model and one
 * worker process at concurrency 8, against the ceilings measured in the same run: an Express
 * endpoint that only does a raw BullMQ `queue.add`, bare Express, and plain node:http.
 * Also: api and worker RSS idle and under load, and CPU time per request of every process.
 *
 * Each repetition runs the four in turn (baselines: 1 s warm-up + 5 s closed loop; service:
 * 1,000 warm-up requests, then N requests timed from the first send to the last stored record,
 * as announced on the done channel). Env: BENCH_REPS (5), BENCH_CONNECTIONS (32),
 * BENCH_E2E_REQUESTS (10000), BENCH_PROFILE=1 (one more profiled run of each server).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { cpuMeter, redisServerPid } from './lib/cpu';
import { machineInfo, RESULTS_DIR, sleep, waitForQuiet } from './lib/env';
import { buildRequest, closedLoop, type Target } from './lib/http-load';
import { profileMarkdown, profilesIn } from './lib/profile';
import { rssMb, sampleRss } from './lib/procs';
import { newPrefix, subscribeDone } from './lib/redis';
import { table, writeReport, type BenchReport } from './lib/report';
import {
  noopSubmitBody,
  requestIdOf,
  startBaseline,
  startService,
  type BaselineMode,
} from './lib/service';
import { fmt, fmtSpread, latencySummary, ratio, spread } from './lib/stats';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const N = Number(process.env.BENCH_E2E_REQUESTS ?? 10_000);
const WARMUP_REQUESTS = 1000;
const BASE_WARMUP_MS = 1000;
const BASE_MS = 5000;
const E2E_TIMEOUT_MS = 180_000;
const PROFILE = process.env.BENCH_PROFILE === '1';
const TARGET_RATIO = 0.5;

const logRoot = mkdtempSync(path.join(tmpdir(), 'openad-bench-e2e-'));

async function baseline(mode: BaselineMode, nodeArgs?: string[]) {
  const prefix = newPrefix(`e2e-${mode}`);
  const server = await startBaseline(mode, {
    prefix,
    logDir: logRoot,
    ...(nodeArgs ? { nodeArgs } : {}),
  });
  try {
    const target: Target = { host: '127.0.0.1', port: server.port };
    const req = buildRequest(target, 'POST', '/service', noopSubmitBody());
    const idleRss = rssMb(server.child.pid);
    const meter = cpuMeter({ server: server.child.pid, redis: await redisServerPid() });
    const rss = sampleRss({ server: server.child.pid });
    const r = await closedLoop({
      target,
      connections: CONNECTIONS,
      request: () => req,
      warmupMs: BASE_WARMUP_MS,
      durationMs: BASE_MS,
    });
    const cpu = meter.stop();
    const loadRss = rss.stop().server ?? [];
    const lat = latencySummary(r.latenciesMs);
    return {
      mode,
      rssMb: { idle: idleRss, underLoadMax: loadRss.length ? Math.max(...loadRss) : Number.NaN },
      rps: r.rps,
      count: r.count,
      statuses: r.statuses,
      errors: r.errors,
      latencyMs: lat,
      // CPU per request over the whole run (warm-up included).
      cpuMsPerRequest: Object.fromEntries(
        Object.entries(cpu).map(([k, s]) => [k, (s * 1000) / r.sent]),
      ),
    };
  } finally {
    await server.stop();
  }
}

/** The api alone (no worker: requests stay queued), same closed loop as the baselines. */
async function apiOnly() {
  const prefix = newPrefix('e2e-api');
  const service = await startService({ prefix, logDir: path.join(logRoot, prefix), workers: 0 });
  try {
    const target: Target = { host: '127.0.0.1', port: service.port };
    const req = buildRequest(target, 'POST', '/service', noopSubmitBody());
    const meter = cpuMeter({ server: service.api.pid, redis: await redisServerPid() });
    const r = await closedLoop({
      target,
      connections: CONNECTIONS,
      request: () => req,
      warmupMs: BASE_WARMUP_MS,
      durationMs: BASE_MS,
    });
    const cpu = meter.stop();
    return {
      rps: r.rps,
      statuses: r.statuses,
      errors: r.errors,
      latencyMs: latencySummary(r.latenciesMs),
      cpuMsPerRequest: Object.fromEntries(
        Object.entries(cpu).map(([k, s]) => [k, (s * 1000) / r.sent]),
      ),
    };
  } finally {
    await service.stop();
  }
}

async function e2e(o: { logLevel: string; nodeArgs?: string[]; requests?: number }) {
  const n = o.requests ?? N;
  const prefix = newPrefix('e2e');
  const logDir = path.join(logRoot, prefix);
  const service = await startService({
    prefix,
    logDir,
    logLevel: o.logLevel,
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
  });
  const doneAt = new Map<string, number>();
  const done = await subscribeDone(prefix, (id, at) => doneAt.set(id, at));
  try {
    const worker = service.workers[0]!;
    await sleep(1000);
    const idle = { api: rssMb(service.api.pid), worker: rssMb(worker.pid) };
    const target: Target = { host: '127.0.0.1', port: service.port };
    const req = buildRequest(target, 'POST', '/service', noopSubmitBody());

    const waitAllDone = async (ids: string[], timeoutMs: number): Promise<boolean> => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        if (ids.every((id) => doneAt.has(id))) return true;
        if (Date.now() > end) return false;
        await sleep(20);
      }
    };

    // Warm-up: JIT, connections, the model's host thread.
    const warmIds: string[] = [];
    await closedLoop({
      target,
      connections: CONNECTIONS,
      request: () => req,
      total: WARMUP_REQUESTS,
      onResponse: (_i, _s, body) => {
        const id = requestIdOf(body);
        if (id) warmIds.push(id);
      },
    });
    await waitAllDone(warmIds, 60_000);
    await sleep(500);

    const sentAt = new Map<string, number>();
    const meter = cpuMeter({
      api: service.api.pid,
      worker: worker.pid,
      redis: await redisServerPid(),
    });
    const rss = sampleRss({ api: service.api.pid, worker: worker.pid });
    const t0 = performance.now();
    const r = await closedLoop({
      target,
      connections: CONNECTIONS,
      request: () => req,
      total: n,
      onResponse: (_i, status, body, at) => {
        if (status !== 200) return;
        const id = requestIdOf(body);
        if (id) sentAt.set(id, at);
      },
    });
    const submitEnd = performance.now();
    const ids = [...sentAt.keys()];
    const complete = await waitAllDone(ids, E2E_TIMEOUT_MS);
    const cpu = meter.stop();
    const rssUnderLoad = rss.stop();
    let last = 0;
    const latencies: number[] = [];
    for (const id of ids) {
      const d = doneAt.get(id);
      if (d === undefined) continue;
      last = Math.max(last, d);
      latencies.push(d - sentAt.get(id)!);
    }
    await sleep(1000);
    const idleAfter = { api: rssMb(service.api.pid), worker: rssMb(worker.pid) };
    const stored = latencies.length;
    return {
      logLevel: o.logLevel,
      requests: n,
      accepted: ids.length,
      stored,
      complete,
      statuses: r.statuses,
      errors: r.errors,
      submitRps: (r.count / (submitEnd - t0)) * 1000,
      e2eRps: (stored / (last - t0)) * 1000,
      e2eSeconds: (last - t0) / 1000,
      submitLatencyMs: latencySummary(r.latenciesMs),
      submitToStoredMs: latencySummary(latencies),
      cpuMsPerRequest: Object.fromEntries(
        Object.entries(cpu).map(([k, s]) => [k, (s * 1000) / Math.max(1, stored)]),
      ),
      rssMb: {
        idleAtStart: idle,
        underLoad: Object.fromEntries(
          Object.entries(rssUnderLoad).map(([k, v]) => [
            k,
            { median: spread(v).median, max: Math.max(...v), samples: v.length },
          ]),
        ),
        idleAfter,
      },
      logDir,
    };
  } finally {
    await done.close();
    await service.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const first = await waitForQuiet('e2e');
  const machine = await machineInfo(first.loadAvg);
  const loads: BenchReport['loads'] = [{ part: 'start', ...first }];
  const reps: {
    ceiling: Awaited<ReturnType<typeof baseline>>;
    express: Awaited<ReturnType<typeof baseline>>;
    nodeHttp: Awaited<ReturnType<typeof baseline>>;
    service: Awaited<ReturnType<typeof e2e>>;
    api: Awaited<ReturnType<typeof apiOnly>>;
  }[] = [];
  for (let rep = 1; rep <= REPS; rep += 1) {
    if (rep > 1) loads.push({ part: `rep ${rep}`, ...(await waitForQuiet(`e2e rep ${rep}`)) });
    const ceiling = await baseline('express-queue');
    const express = await baseline('express');
    const nodeHttp = await baseline('node-http');
    const api = await apiOnly();
    const service = await e2e({ logLevel: 'info' });
    reps.push({ ceiling, express, nodeHttp, service, api });
    console.log(
      `rep ${rep}: service ${fmt(service.e2eRps)} req/s end-to-end (submit ${fmt(service.submitRps)}), ` +
        `api alone ${fmt(api.rps)}, ceiling ${fmt(ceiling.rps)}, express ${fmt(express.rps)}, ` +
        `node:http ${fmt(nodeHttp.rps)}`,
    );
  }
  // The same measurement with the api and worker logging warnings only: what logging costs.
  const quietLogs: Awaited<ReturnType<typeof e2e>>[] = [];
  for (let rep = 1; rep <= Math.min(3, REPS); rep += 1) {
    loads.push({ part: `warn-logs ${rep}`, ...(await waitForQuiet(`e2e warn ${rep}`)) });
    const s = await e2e({ logLevel: 'warn' });
    quietLogs.push(s);
    console.log(`LOG_LEVEL=warn rep ${rep}: ${fmt(s.e2eRps)} req/s end-to-end`);
  }

  let profiles: ReturnType<typeof profilesIn> = [];
  if (PROFILE) {
    const dir = path.join(RESULTS_DIR, 'profiles', `e2e-${Date.now()}`);
    loads.push({ part: 'profile', ...(await waitForQuiet('e2e profile')) });
    const profArgs = (sub: string) => ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, sub)}`];
    await e2e({ logLevel: 'info', nodeArgs: profArgs('service'), requests: N });
    await baseline('express-queue', profArgs('ceiling'));
    profiles = profilesIn(dir);
  }

  const s = {
    service: spread(reps.map((r) => r.service.e2eRps)),
    submit: spread(reps.map((r) => r.service.submitRps)),
    apiOnly: spread(reps.map((r) => r.api.rps)),
    ratioApiOnly: spread(reps.map((r) => ratio(r.api.rps, r.ceiling.rps))),
    ceiling: spread(reps.map((r) => r.ceiling.rps)),
    express: spread(reps.map((r) => r.express.rps)),
    nodeHttp: spread(reps.map((r) => r.nodeHttp.rps)),
    ratioCeiling: spread(reps.map((r) => ratio(r.service.e2eRps, r.ceiling.rps))),
    ratioExpress: spread(reps.map((r) => ratio(r.service.e2eRps, r.express.rps))),
    warnLogs: spread(quietLogs.map((r) => r.e2eRps)),
    stored50: spread(reps.map((r) => r.service.submitToStoredMs.p50)),
    stored99: spread(reps.map((r) => r.service.submitToStoredMs.p99)),
    rssApiIdle: spread(reps.map((r) => r.service.rssMb.idleAtStart.api)),
    rssWorkerIdle: spread(reps.map((r) => r.service.rssMb.idleAtStart.worker)),
    rssCeilingIdle: spread(reps.map((r) => r.ceiling.rssMb.idle)),
    rssCeilingLoad: spread(reps.map((r) => r.ceiling.rssMb.underLoadMax)),
    rssExpressIdle: spread(reps.map((r) => r.express.rssMb.idle)),
    rssApiLoad: spread(reps.map((r) => (r.service.rssMb.underLoad.api as { max: number }).max)),
    rssWorkerLoad: spread(
      reps.map((r) => (r.service.rssMb.underLoad.worker as { max: number }).max),
    ),
  };
  const cpu = (pick: (r: (typeof reps)[number]) => Record<string, number>, k: string) =>
    fmt(spread(reps.map((r) => pick(r)[k] ?? Number.NaN)).median, 3);
  const met = s.ratioCeiling.median >= TARGET_RATIO;
  const md = [
    `Closed loop, ${CONNECTIONS} keep-alive connections from a separate client process (raw-socket`,
    `HTTP/1.1 client, bench/src/lib/http-load.ts); client, servers and Redis share the 2 cores.`,
    `Service: real api + 1 worker process (OPENAD_ASYNC_MAX_WORKERS=8), no-op model plugin, directory`,
    `store in a temp dir, LOG_LEVEL=info (the default); ${N} requests timed from first send to the`,
    `last record stored (done channel). Baselines: 1 s warm-up + 5 s. ${REPS} repetitions, interleaved.`,
    '',
    ...table(
      ['figure', 'median (IQR; range; N)', 'unit'],
      [
        ['service end-to-end (submit → stored)', fmtSpread(s.service), 'req/s'],
        ['service submit rate (accepted, worker draining)', fmtSpread(s.submit), 'req/s'],
        ['api alone, no worker (submit only)', fmtSpread(s.apiOnly), 'req/s'],
        ['api alone / ceiling (per rep)', fmtSpread(s.ratioApiOnly, 3), 'ratio'],
        ['ceiling: Express + raw BullMQ queue.add', fmtSpread(s.ceiling), 'req/s'],
        ['bare Express', fmtSpread(s.express), 'req/s'],
        ['plain node:http', fmtSpread(s.nodeHttp), 'req/s'],
        ['**service / ceiling** (per rep)', fmtSpread(s.ratioCeiling, 3), 'ratio'],
        ['service / bare Express (per rep)', fmtSpread(s.ratioExpress, 3), 'ratio'],
        ['service end-to-end, LOG_LEVEL=warn', fmtSpread(s.warnLogs), 'req/s'],
        ['submit → stored latency p50 (under saturation)', fmtSpread(s.stored50), 'ms'],
        ['submit → stored latency p99 (under saturation)', fmtSpread(s.stored99), 'ms'],
        ['api RSS idle', fmtSpread(s.rssApiIdle), 'MB'],
        ['api RSS under load (max)', fmtSpread(s.rssApiLoad), 'MB'],
        ['ceiling server RSS idle (baseline)', fmtSpread(s.rssCeilingIdle), 'MB'],
        ['ceiling server RSS under load (max)', fmtSpread(s.rssCeilingLoad), 'MB'],
        ['bare Express RSS idle', fmtSpread(s.rssExpressIdle), 'MB'],
        ['worker RSS idle', fmtSpread(s.rssWorkerIdle), 'MB'],
        ['worker RSS under load (max)', fmtSpread(s.rssWorkerLoad), 'MB'],
      ],
    ),
    '',
    `Target: service ≥ ${TARGET_RATIO * 100}% of the ceiling: **${met ? 'met' : 'missed'}** ` +
      `(median ratio ${fmt(s.ratioCeiling.median * 100, 1)}%` +
      (met
        ? ')'
        : `; short by ${fmt((TARGET_RATIO - s.ratioCeiling.median) * s.ceiling.median)} req/s, ` +
          `i.e. the service would need ×${fmt(TARGET_RATIO / s.ratioCeiling.median, 2)})`),
    '',
    'CPU ms per request (median over reps; all processes on the same 2 cores):',
    '',
    ...table(
      ['run', 'api / server', 'worker', 'redis', 'client'],
      [
        [
          'service',
          cpu((r) => r.service.cpuMsPerRequest, 'api'),
          cpu((r) => r.service.cpuMsPerRequest, 'worker'),
          cpu((r) => r.service.cpuMsPerRequest, 'redis'),
          cpu((r) => r.service.cpuMsPerRequest, 'client'),
        ],
        [
          'api alone (no worker)',
          cpu((r) => r.api.cpuMsPerRequest, 'server'),
          '–',
          cpu((r) => r.api.cpuMsPerRequest, 'redis'),
          cpu((r) => r.api.cpuMsPerRequest, 'client'),
        ],
        [
          'ceiling (Express + queue.add)',
          cpu((r) => r.ceiling.cpuMsPerRequest, 'server'),
          '–',
          cpu((r) => r.ceiling.cpuMsPerRequest, 'redis'),
          cpu((r) => r.ceiling.cpuMsPerRequest, 'client'),
        ],
        [
          'bare Express',
          cpu((r) => r.express.cpuMsPerRequest, 'server'),
          '–',
          '–',
          cpu((r) => r.express.cpuMsPerRequest, 'client'),
        ],
        [
          'node:http',
          cpu((r) => r.nodeHttp.cpuMsPerRequest, 'server'),
          '–',
          '–',
          cpu((r) => r.nodeHttp.cpuMsPerRequest, 'client'),
        ],
      ],
    ),
    '',
    ...profiles.flatMap((p) => profileMarkdown(p.name, p.summary)),
  ];
  await writeReport(
    {
      bench: 'e2e',
      machine,
      loads,
      settings: {
        reps: REPS,
        connections: CONNECTIONS,
        requests: N,
        warmupRequests: WARMUP_REQUESTS,
      },
      results: { summary: s, reps, quietLogs, profiles },
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
