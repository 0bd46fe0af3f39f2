/**
 * Issue 5: the cost of `/async/stats` with 10,000 pending requests (target p99 ≤ 50 ms), and
 * Redis memory per pending request. The property queue is filled through the real api while a
 * worker serves only the generation queue (so stats include a live worker's heartbeat and the
 * property requests stay pending). Baseline, same run: an Express endpoint answering raw BullMQ
 * getJobCounts of both queues, over 10,000 jobs it queued with a raw `queue.add` of the same
 * request body. Memory: the sum of MEMORY USAGE over every key of the bench's prefix (exact for
 * our keys; other people's keys on this shared Redis do not count), and INFO used_memory deltas.
 * Env: BENCH_REPS (5), BENCH_PENDING (10000).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { Redis } from 'ioredis';

import { machineInfo, waitForQuiet } from './lib/env';
import { buildRequest, closedLoop, type Target } from './lib/http-load';
import { connect, newPrefix, usedMemory } from './lib/redis';
import { table, writeReport, type BenchReport } from './lib/report';
import { noopSubmitBody, startBaseline, startService } from './lib/service';
import { fmt, fmtSpread, latencySummary, ratio, spread } from './lib/stats';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const PENDING = Number(process.env.BENCH_PENDING ?? 10_000);
const CALLS = 300;
const TARGET_P99_MS = 50;
const logRoot = mkdtempSync(path.join(tmpdir(), 'openad-bench-stats-'));

/** Bytes held by every key under a prefix, by key family. */
async function prefixMemory(redis: Redis, prefix: string) {
  let cursor = '0';
  let total = 0;
  let keys = 0;
  const byFamily: Record<string, number> = {};
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    const pipe = redis.pipeline();
    for (const k of batch) pipe.memory('USAGE', k, 'SAMPLES', 0);
    const res = (await pipe.exec()) ?? [];
    batch.forEach((k, i) => {
      const bytes = Number(res[i]?.[1] ?? 0);
      total += bytes;
      keys += 1;
      // `<prefix>:property:<uuid>` → 'job hash'; other keys by their name without ids.
      const rest = k.slice(prefix.length + 1).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, '<id>');
      const family = /^\w+:<id>$/.test(rest) ? '<queue>:<id> (job hash)' : rest;
      byFamily[family] = (byFamily[family] ?? 0) + bytes;
    });
  } while (cursor !== '0');
  return { total, keys, byFamily };
}

async function fill(target: Target, n: number): Promise<number> {
  const req = buildRequest(target, 'POST', '/service', noopSubmitBody());
  const r = await closedLoop({ target, connections: 16, request: () => req, total: n });
  return r.statuses['200'] ?? 0;
}

async function statsLatency(target: Target) {
  const req = buildRequest(target, 'GET', '/async/stats');
  const r = await closedLoop({ target, connections: 1, request: () => req, total: CALLS });
  return { latencyMs: latencySummary(r.latenciesMs), statuses: r.statuses };
}

async function main(): Promise<void> {
  const started = Date.now();
  const first = await waitForQuiet('stats');
  const machine = await machineInfo(first.loadAvg);
  const loads: BenchReport['loads'] = [{ part: 'start', ...first }];
  const redis = connect('openad-bench-stats');
  const prefix = newPrefix('stats');
  const basePrefix = newPrefix('stats-base');
  const svc = await startService({
    prefix,
    logDir: path.join(logRoot, prefix),
    workerEnv: { OPENAD_ASYNC_WORKER_QUEUES: 'generation' },
  });
  const baseline = await startBaseline('express-queue', { prefix: basePrefix, logDir: logRoot });
  try {
    const target: Target = { host: '127.0.0.1', port: svc.port };
    const base: Target = { host: '127.0.0.1', port: baseline.port };
    // Stats on an empty queue, for comparison.
    const empty = await statsLatency(target);

    const memBefore = await prefixMemory(redis, prefix);
    const usedBefore = await usedMemory(redis);
    const t0 = performance.now();
    const accepted = await fill(target, PENDING);
    const fillSeconds = (performance.now() - t0) / 1000;
    const memAfter = await prefixMemory(redis, prefix);
    const usedAfter = await usedMemory(redis);

    const baseBefore = await prefixMemory(redis, basePrefix);
    const baseUsedBefore = await usedMemory(redis);
    const baseAccepted = await fill(base, PENDING);
    const baseAfter = await prefixMemory(redis, basePrefix);
    const baseUsedAfter = await usedMemory(redis);

    const reps: {
      service: Awaited<ReturnType<typeof statsLatency>>;
      baseline: Awaited<ReturnType<typeof statsLatency>>;
    }[] = [];
    for (let rep = 1; rep <= REPS; rep += 1) {
      loads.push({ part: `rep ${rep}`, ...(await waitForQuiet(`stats rep ${rep}`)) });
      const service = await statsLatency(target);
      const b = await statsLatency(base);
      reps.push({ service, baseline: b });
      console.log(
        `rep ${rep}: /async/stats p50 ${fmt(service.latencyMs.p50)} p99 ${fmt(service.latencyMs.p99)} ms; ` +
          `raw counts p99 ${fmt(b.latencyMs.p99)} ms`,
      );
    }
    const sample = (await (await fetch(`http://127.0.0.1:${svc.port}/async/stats`)).json()) as {
      property_service?: { queue?: { queue_length?: number } };
    };
    const perPending = (memAfter.total - memBefore.total) / accepted;
    const basePerJob = (baseAfter.total - baseBefore.total) / baseAccepted;
    const familyDelta = Object.fromEntries(
      Object.entries(memAfter.byFamily)
        .map(([k, v]) => [k, (v - (memBefore.byFamily[k] ?? 0)) / accepted] as const)
        .filter(([, v]) => Math.abs(v) >= 0.5)
        .sort((a, b) => b[1] - a[1]),
    );
    const s = {
      p50: spread(reps.map((r) => r.service.latencyMs.p50)),
      p99: spread(reps.map((r) => r.service.latencyMs.p99)),
      max: spread(reps.map((r) => r.service.latencyMs.max)),
      baseP50: spread(reps.map((r) => r.baseline.latencyMs.p50)),
      baseP99: spread(reps.map((r) => r.baseline.latencyMs.p99)),
      ratioP99: spread(reps.map((r) => ratio(r.service.latencyMs.p99, r.baseline.latencyMs.p99))),
      emptyP50: empty.latencyMs.p50,
      emptyP99: empty.latencyMs.p99,
      queueLengthSeen: sample.property_service?.queue?.queue_length ?? null,
      bytesPerPending: perPending,
      bytesPerRawJob: basePerJob,
      usedMemoryPerPending: (usedAfter - usedBefore) / accepted,
      usedMemoryPerRawJob: (baseUsedAfter - baseUsedBefore) / baseAccepted,
      bytesPerPendingByKey: familyDelta,
      accepted,
      baseAccepted,
      fillRps: accepted / fillSeconds,
    };
    const met = s.p99.median <= TARGET_P99_MS;
    const md = [
      `${PENDING} requests submitted through the api (no-op model, timeout_seconds 600 so each has a`,
      `deadline entry) stay pending; a worker serving only the generation queue heartbeats. Then ${CALLS}`,
      `sequential GET /async/stats per rep (1 connection), ${REPS} reps interleaved with the baseline.`,
      '',
      ...table(
        ['figure', 'median (IQR; range; N)', 'unit'],
        [
          [`/async/stats p50, ${PENDING} pending`, fmtSpread(s.p50), 'ms'],
          [`**/async/stats p99, ${PENDING} pending**`, fmtSpread(s.p99), 'ms'],
          ['/async/stats max', fmtSpread(s.max), 'ms'],
          ['baseline: raw BullMQ getJobCounts endpoint p50', fmtSpread(s.baseP50), 'ms'],
          ['baseline p99', fmtSpread(s.baseP99), 'ms'],
          ['stats p99 / baseline p99 (per rep)', fmtSpread(s.ratioP99), 'ratio'],
          [
            '/async/stats p50 / p99, empty queue (1 run)',
            `${fmt(s.emptyP50)} / ${fmt(s.emptyP99)}`,
            'ms',
          ],
        ],
      ),
      '',
      `queue_length reported: ${s.queueLengthSeen}. Accepted: ${accepted} (fill rate ${fmt(s.fillRps)} req/s); raw baseline ${baseAccepted}.`,
      '',
      `Target: p99 ≤ ${TARGET_P99_MS} ms: **${met ? 'met' : 'missed'}** (${fmt(s.p99.median)} ms)`,
      '',
      'Redis memory per pending request (one run):',
      '',
      ...table(
        ['measure', 'service', 'raw BullMQ queue.add of the same body', 'ratio'],
        [
          [
            "MEMORY USAGE of the prefix's keys, per request",
            `${fmt(perPending, 0)} B`,
            `${fmt(basePerJob, 0)} B`,
            fmt(ratio(perPending, basePerJob), 2),
          ],
          [
            'INFO used_memory delta, per request (noisy: shared Redis)',
            `${fmt(s.usedMemoryPerPending, 0)} B`,
            `${fmt(s.usedMemoryPerRawJob, 0)} B`,
            fmt(ratio(s.usedMemoryPerPending, s.usedMemoryPerRawJob), 2),
          ],
        ],
      ),
      '',
      "Where the service's bytes per pending request go (by key family):",
      '',
      ...table(
        ['key', 'bytes per pending request'],
        Object.entries(familyDelta).map(([k, v]) => [`\`${k}\``, fmt(v, 0)]),
      ),
    ];
    await writeReport(
      {
        bench: 'stats',
        machine,
        loads,
        settings: { reps: REPS, pending: PENDING, callsPerRep: CALLS },
        results: {
          summary: s,
          reps,
          empty,
          memory: { memBefore, memAfter, baseBefore, baseAfter },
        },
        durationS: (Date.now() - started) / 1000,
      },
      md,
    );
  } finally {
    redis.disconnect();
    await baseline.stop();
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
