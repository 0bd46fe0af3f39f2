/**
 * Where a request's cost goes, to explain the other benches' figures:
 * 1. Redis commands per request (MONITOR, filtered to the bench's prefix): submit (no worker
 *    running), worker pickup-to-done, status read of a completed request; top-level commands
 *    (round trips) and the calls Lua scripts make inside Redis. Idle background (heartbeats,
 *    reapers, blocking reads) is measured over a quiet window and subtracted.
 * 2. CPU microbenchmarks of steps on the submit path: zod parse of the body, catalog resolve,
 *    job parse, one winston info line written to a file.
 * Env: BENCH_BREAKDOWN_N (200).
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { ModelRegistry, builtinModels } from '@openad-async/catalog';
import { InferenceJob, ServiceRequest } from '@openad-async/contracts';
import { loadModelModules } from '@openad-async/models';
import { createLogger } from '@openad-async/telemetry';
import type { Redis } from 'ioredis';

import { machineInfo, NOOP_MODEL, sleep, waitForQuiet } from './lib/env';
import { buildRequest, closedLoop, type Target } from './lib/http-load';
import { BENCH_DIST, spawnNode } from './lib/procs';
import { connect, newPrefix, subscribeDone } from './lib/redis';
import { table, writeReport, type BenchReport } from './lib/report';
import { noopSubmitBody, requestIdOf, startService } from './lib/service';
import { fmt } from './lib/stats';

const N = Number(process.env.BENCH_BREAKDOWN_N ?? 200);
const logRoot = mkdtempSync(path.join(tmpdir(), 'openad-bench-breakdown-'));

interface Counts {
  topLevel: Record<string, number>;
  lua: Record<string, number>;
  seconds: number;
}

/** Counts commands touching `prefix` between start() and stop(). */
async function monitorPrefix(prefix: string) {
  const redis: Redis = connect('openad-bench-monitor');
  const monitor = await redis.monitor();
  let counts: Counts = { topLevel: {}, lua: {}, seconds: 0 };
  let counting = false;
  let started = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (!counting || !args.some((a) => a.includes(prefix))) return;
    const name = (args[0] ?? '?').toUpperCase();
    const bucket = source === 'lua' ? counts.lua : counts.topLevel;
    bucket[name] = (bucket[name] ?? 0) + 1;
  });
  return {
    start() {
      counts = { topLevel: {}, lua: {}, seconds: 0 };
      counting = true;
      started = performance.now();
    },
    stop(): Counts {
      counting = false;
      counts.seconds = (performance.now() - started) / 1000;
      return counts;
    },
    close() {
      monitor.disconnect();
      redis.disconnect();
    },
  };
}

/** Per-request counts after subtracting the idle rate over the same time. */
function perRequest(c: Counts, idle: Counts, n: number) {
  const sub = (x: Record<string, number>, y: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const v = ((x[k] ?? 0) - ((y[k] ?? 0) * c.seconds) / idle.seconds) / n;
      if (Math.abs(v) >= 0.05) out[k] = Math.round(v * 100) / 100;
    }
    return out;
  };
  const total = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
  const topLevel = sub(c.topLevel, idle.topLevel);
  const lua = sub(c.lua, idle.lua);
  return { topLevel, lua, topLevelTotal: total(topLevel), luaTotal: total(lua) };
}

async function redisCommands() {
  const prefix = newPrefix('breakdown');
  const svc = await startService({ prefix, logDir: path.join(logRoot, prefix), workers: 0 });
  const mon = await monitorPrefix(prefix);
  const done = new Set<string>();
  const sub = await subscribeDone(prefix, (id) => done.add(id));
  try {
    const target: Target = { host: '127.0.0.1', port: svc.port };
    const post = buildRequest(target, 'POST', '/service', noopSubmitBody());
    await sleep(1500);
    mon.start();
    await sleep(3000);
    const idleApi = mon.stop();

    mon.start();
    const ids: string[] = [];
    await closedLoop({
      target,
      connections: 1,
      request: () => post,
      total: N,
      onResponse: (_i, _s, b) => {
        const id = requestIdOf(b);
        if (id) ids.push(id);
      },
    });
    const submit = perRequest(mon.stop(), idleApi, N);

    // The worker: its idle background first, then the drain of the N queued requests.
    const extra = await svc.startWorker({ OPENAD_ASYNC_WORKER_QUEUES: 'generation' });
    await sleep(1500);
    mon.start();
    await sleep(3000);
    const idleBoth = mon.stop();
    await extra.stop();
    mon.start();
    await svc.startWorker();
    const end = Date.now() + 60_000;
    while (!ids.every((id) => done.has(id)) && Date.now() < end) await sleep(10);
    const drain = perRequest(mon.stop(), idleBoth, ids.length);

    const reads = ids.map((id) => buildRequest(target, 'GET', `/async/status/${id}`));
    mon.start();
    await closedLoop({
      target,
      connections: 1,
      request: (i) => reads[i % reads.length]!,
      total: N,
    });
    const read = perRequest(mon.stop(), idleBoth, N);
    return { submit, drain, read };
  } finally {
    mon.close();
    await sub.close();
    await svc.stop();
  }
}

function micro(label: string, n: number, f: () => unknown): { label: string; usPerOp: number } {
  for (let i = 0; i < Math.min(2000, n); i += 1) f();
  const t = performance.now();
  for (let i = 0; i < n; i += 1) f();
  return { label, usPerOp: ((performance.now() - t) * 1000) / n };
}

async function microbenches() {
  const body = JSON.parse(noopSubmitBody()) as Record<string, unknown>;
  const modules = await loadModelModules([NOOP_MODEL]);
  const registry = new ModelRegistry([...builtinModels, ...modules.flatMap((m) => m.definitions)]);
  const parsed = ServiceRequest.parse(body);
  const resolveArgs = {
    service_type: 'get_molecule_property' as const,
    service_name: 'bench noop',
    property_type: ['noop'],
    parameters: {},
  };
  const now = Date.now();
  const job = {
    request_id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
    kind: 'property',
    service_type: 'get_molecule_property',
    service_name: 'bench noop',
    property_type: ['noop'],
    subjects: ['CC(=O)OC1=CC=CC=C1C(=O)O'],
    parameters: {},
    priority: 'normal',
    mode: 'async',
    created_at: now,
    deadline: now + 600_000,
    owner: null,
  };
  const results = [
    micro('JSON.parse of the request body', 50_000, () => JSON.parse(noopSubmitBody())),
    micro('ServiceRequest.safeParse (zod)', 50_000, () => ServiceRequest.safeParse(body)),
    micro('ModelRegistry.resolve', 50_000, () => registry.resolve(resolveArgs)),
    micro('InferenceJob.parse (zod)', 50_000, () => InferenceJob.parse(job)),
  ];
  void parsed;
  // One winston info line, written to a file as the apps' stdout is in a deployment.
  const dir = mkdtempSync(path.join(tmpdir(), 'openad-bench-log-'));
  const out = path.join(dir, 'out.json');
  const child = spawnNode({
    name: 'log-child',
    script: path.join(BENCH_DIST, 'breakdown.js'),
    args: ['log-child', out],
    env: {},
    logDir: dir,
  });
  await child.exited;
  const { readFileSync } = await import('node:fs');
  results.push(JSON.parse(readFileSync(out, 'utf8')) as { label: string; usPerOp: number });
  return results;
}

function logChild(out: string): void {
  const logger = createLogger({ level: 'info', service: 'api' });
  const fields = {
    request_id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
    http_request_id: '0e2d7c1a-9b8f-4e6d-a5c4-3b2a19080706',
    service: 'bench noop',
    priority: 'normal',
    mode: 'async',
  };
  const r = micro('winston info line (JSON) to a file', 20_000, () =>
    logger.info('request accepted', fields),
  );
  writeFileSync(out, JSON.stringify(r));
}

async function main(): Promise<void> {
  const started = Date.now();
  const first = await waitForQuiet('breakdown');
  const machine = await machineInfo(first.loadAvg);
  const loads: BenchReport['loads'] = [{ part: 'start', ...first }];
  const cmds = await redisCommands();
  const micros = await microbenches();
  const fmtCounts = (x: Record<string, number>) =>
    Object.entries(x)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${fmt(v, 2)}`)
      .join(', ');
  const md = [
    `Redis commands per request touching the bench's prefix (MONITOR; ${N} requests, one at a time;`,
    'idle background subtracted):',
    '',
    ...table(
      [
        'request',
        'round trips (top-level commands)',
        'by command',
        'calls inside Lua',
        'by command',
      ],
      (['submit', 'drain', 'read'] as const).map((k) => [
        {
          submit: 'submit (api, no worker)',
          drain: 'worker: pickup → done',
          read: 'status read, completed',
        }[k],
        fmt(cmds[k].topLevelTotal, 1),
        fmtCounts(cmds[k].topLevel),
        fmt(cmds[k].luaTotal, 1),
        fmtCounts(cmds[k].lua),
      ]),
    ),
    '',
    'CPU of single steps (one thread, warm, µs per operation):',
    '',
    ...table(
      ['step', 'µs'],
      micros.map((m) => [m.label, fmt(m.usPerOp, 1)]),
    ),
  ];
  await writeReport(
    {
      bench: 'breakdown',
      machine,
      loads,
      settings: { n: N },
      results: { commands: cmds, micros },
      durationS: (Date.now() - started) / 1000,
    },
    md,
  );
}

if (process.argv[2] === 'log-child') {
  logChild(process.argv[3]!);
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
