/**
 * One measurement of the worker path, in its own process (its winston lines go to a log file):
 * - mode 'service': the real WorkerService (BullMQ worker, job processor, ModelRuntime with the
 *   no-op model in its host thread, directory store), timing each job's phases from outside:
 *   BullMQ 'active' (picked up) → runner.run called → run returned → store.put called →
 *   put resolved (record stored) → BullMQ 'completed' (job moved out of Redis).
 * - mode 'raw': a raw BullMQ Worker with an empty processor on the same jobs (baseline).
 * - mode 'store': FsResultStore.put of a real record vs a plain fs writeFile (baseline).
 * Jobs are either all queued before the worker starts (backlog: saturation) or submitted at a
 * fixed pace while it runs (unloaded). Env: BENCH_MODE, BENCH_PREFIX, BENCH_RESULT_DIR,
 * BENCH_JOBS, BENCH_PACE (jobs/s; 0 = backlog), BENCH_OUT (JSON file), BENCH_STAGE ('0': hide
 * the store's stage(), so the worker puts after the claim as it did before staging).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { Queue, Worker, type Job } from 'bullmq';
import { builtinModulePath } from '@openad-async/catalog';
import { loadConfig } from '@openad-async/config';
import { JOB_NAME, type InferenceJob, type StatusRecord } from '@openad-async/contracts';
import { ModelRuntime, type ModelRunner } from '@openad-async/models';
import { Backplane, terminalRecord } from '@openad-async/queue';
import { createResultStore, type ResultStore } from '@openad-async/results';
import { createLogger } from '@openad-async/telemetry';
import { Redis } from 'ioredis';

import { WorkerService } from '../../apps/worker/dist/worker-service';
import { NOOP_MODEL, REDIS_URL, sleep } from './lib/env';
import { latencySummary } from './lib/stats';

const mode = process.env.BENCH_MODE ?? 'service';
const prefix = process.env.BENCH_PREFIX ?? `bench-wo-${process.pid}`;
const resultDir = process.env.BENCH_RESULT_DIR ?? `/tmp/openad-bench-wo-${process.pid}`;
const jobs = Number(process.env.BENCH_JOBS ?? 2000);
const pace = Number(process.env.BENCH_PACE ?? 0);
const out = process.env.BENCH_OUT ?? path.join(resultDir, 'out.json');
const CONCURRENCY = 8;

interface Times {
  active?: number;
  runStart?: number;
  runEnd?: number;
  putStart?: number;
  putEnd?: number;
  completed?: number;
}

function jobPayload(id: string): InferenceJob {
  const now = Date.now();
  return {
    request_id: id,
    kind: 'property',
    service_type: 'get_molecule_property',
    service_name: 'bench noop',
    property_type: ['noop'],
    // The subject is the id, so the runner wrapper knows whose run it times.
    subjects: [id],
    parameters: {},
    priority: 'normal',
    mode: 'async',
    created_at: now,
    deadline: now + 600_000,
    owner: null,
  };
}

/** Submits `ids` all at once (pace 0) or at `pace` per second; resolves when all are queued. */
async function submitAll(ids: string[], add: (id: string) => Promise<void>): Promise<void> {
  if (pace <= 0) {
    for (let i = 0; i < ids.length; i += 200) await Promise.all(ids.slice(i, i + 200).map(add));
    return;
  }
  const start = performance.now();
  for (let i = 0; i < ids.length; i += 1) {
    const due = start + (i * 1000) / pace;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    void add(ids[i]!);
  }
}

async function untilDone(isDone: () => boolean, timeoutMs = 120_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!isDone()) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}

function phases(times: Map<string, Times>) {
  const pick = (f: (t: Times) => number | undefined) => {
    const v: number[] = [];
    for (const t of times.values()) {
      const x = f(t);
      if (x !== undefined && Number.isFinite(x)) v.push(x);
    }
    return latencySummary(v);
  };
  const d = (a: keyof Times, b: keyof Times) => (t: Times) =>
    t[a] !== undefined && t[b] !== undefined ? t[b]! - t[a]! : undefined;
  return {
    // The target figure: picked up → record stored, with a model that takes ~0 ms.
    pickupToStored: pick(d('active', 'putEnd')),
    pickupToCompleted: pick(d('active', 'completed')),
    pickupToRun: pick(d('active', 'runStart')),
    run: pick(d('runStart', 'runEnd')),
    runToPut: pick(d('runEnd', 'putStart')),
    put: pick(d('putStart', 'putEnd')),
    storedToCompleted: pick(d('putEnd', 'completed')),
    outsideRun: pick((t) =>
      t.active !== undefined &&
      t.putEnd !== undefined &&
      t.runStart !== undefined &&
      t.runEnd !== undefined
        ? t.putEnd - t.active - (t.runEnd - t.runStart)
        : undefined,
    ),
  };
}

async function service(): Promise<Record<string, unknown>> {
  const config = loadConfig({
    OPENAD_ASYNC_REDIS_URL: REDIS_URL,
    OPENAD_ASYNC_QUEUE_PREFIX: prefix,
    OPENAD_ASYNC_RESULT_DIR: resultDir,
    OPENAD_ASYNC_MAX_WORKERS: String(CONCURRENCY),
    OPENAD_ASYNC_WORKER_QUEUES: 'property',
    OPENAD_ASYNC_PLUGINS: NOOP_MODEL,
    OPENAD_ASYNC_MAX_QUEUE_SIZE: '10000000',
  });
  const logger = createLogger({ level: 'info', service: 'worker' });
  const times = new Map<string, Times>();
  const at = (id: string): Times => {
    let t = times.get(id);
    if (!t) times.set(id, (t = {}));
    return t;
  };
  const store = createResultStore(config.results, logger);
  const timedStore: ResultStore = {
    kind: store.kind,
    start: () => store.start(),
    get: (id) => store.get(id),
    ping: () => store.ping(),
    close: () => store.close(),
    async put(record: StatusRecord) {
      const t = at(record.request_id);
      t.putStart = performance.now();
      const stored = await store.put(record);
      t.putEnd = performance.now();
      return stored;
    },
  };
  // A staged write starts before the terminal claim: 'put' then spans stage → commit, and
  // overlaps the claim, which 'run returned → put called' no longer holds.
  if (store.stage && process.env.BENCH_STAGE !== '0') {
    const stage = store.stage.bind(store);
    timedStore.stage = async (record: StatusRecord) => {
      const t = at(record.request_id);
      t.putStart = performance.now();
      const staged = await stage(record);
      return {
        record: staged.record,
        discard: () => staged.discard(),
        async commit() {
          const stored = await staged.commit();
          t.putEnd = performance.now();
          return stored;
        },
      };
    };
  }
  const runtime = new ModelRuntime({
    modules: [builtinModulePath(), NOOP_MODEL],
    maxModels: config.models.maxModels,
    maxMemoryMb: config.models.maxMemoryMb,
    memoryHeadroomMb: config.models.memoryHeadroomMb,
    evictionStrategy: config.models.evictionStrategy,
    logger,
  });
  const runner: ModelRunner = {
    start: () => runtime.start(),
    definitions: () => runtime.definitions(),
    stats: () => runtime.stats(),
    close: () => runtime.close(),
    async run(modelId, input, options) {
      const t = at(String(input.subjects[0]));
      t.runStart = performance.now();
      const output = await runtime.run(modelId, input, options);
      t.runEnd = performance.now();
      return output;
    },
  };
  const worker = new WorkerService({
    config,
    logger,
    runner,
    store: timedStore,
    bull: {
      lockDuration: config.worker.lockDurationMs,
      stalledInterval: config.worker.stalledIntervalMs,
    },
  });
  const backplane = new Backplane({ redisUrl: REDIS_URL, prefix, store, logger });
  await backplane.start();
  const ids = Array.from({ length: jobs }, () => randomUUID());
  const add = (id: string) => backplane.queues.submit(jobPayload(id));
  // Warm-up: load the model's thread and JIT the path with 300 jobs, not measured.
  const warm = Array.from({ length: 300 }, () => randomUUID());
  if (pace <= 0) await submitAll(ids, add);
  await worker.start();
  const bull = (worker as unknown as { workers: Map<string, Worker> }).workers.get('property')!;
  let completed = 0;
  bull.on('active', (job: Job) => {
    at(String(job.id)).active = performance.now();
  });
  bull.on('completed', (job: Job) => {
    at(String(job.id)).completed = performance.now();
    completed += 1;
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (pace > 0) {
    for (const id of warm) await add(id);
    await untilDone(() => completed >= warm.length);
    for (const id of warm) times.delete(id);
    completed = 0;
  }
  const tStart = performance.now();
  await submitAll(pace > 0 ? ids : [], add);
  const ok = await untilDone(() => completed >= ids.length);
  const elapsed = performance.now() - (pace > 0 ? tStart : t0);
  const cpu = process.cpuUsage(cpu0);
  const wanted = new Set<string>(ids);
  const measured = new Map([...times].filter(([id]) => wanted.has(id)));
  // Backlog: the first jobs also pay the model's load; drop the first 10%.
  if (pace <= 0) for (const id of ids.slice(0, Math.floor(ids.length / 10))) measured.delete(id);
  await worker.close(5000);
  await backplane.close();
  return {
    complete: ok,
    jobs: ids.length,
    jobsPerSecond: (completed / elapsed) * 1000,
    cpuMsPerJob: (cpu.user + cpu.system) / 1000 / ids.length,
    cpuSystemShare: cpu.system / (cpu.user + cpu.system),
    phases: phases(measured),
  };
}

async function raw(): Promise<Record<string, unknown>> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('property', {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
  const times = new Map<string, Times>();
  const ids = Array.from({ length: jobs }, () => randomUUID());
  const warm = Array.from({ length: 300 }, () => randomUUID());
  const add = async (id: string) => {
    await queue.add(JOB_NAME, jobPayload(id), { jobId: id, priority: 3 });
  };
  if (pace <= 0) await submitAll(ids, add);
  let completed = 0;
  const worker = new Worker('property', async () => undefined, {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix,
    concurrency: CONCURRENCY,
  });
  worker.on('active', (job: Job) => {
    times.set(String(job.id), { active: performance.now() });
  });
  worker.on('completed', (job: Job) => {
    const t = times.get(String(job.id));
    if (t) t.completed = performance.now();
    completed += 1;
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (pace > 0) {
    for (const id of warm) await add(id);
    await untilDone(() => completed >= warm.length);
    completed = 0;
  }
  const tStart = performance.now();
  await submitAll(pace > 0 ? ids : [], add);
  const ok = await untilDone(() => completed >= ids.length);
  const elapsed = performance.now() - (pace > 0 ? tStart : t0);
  const cpu = process.cpuUsage(cpu0);
  const wanted = new Set<string>(ids);
  const measured = new Map([...times].filter(([id]) => wanted.has(id)));
  if (pace <= 0) for (const id of ids.slice(0, Math.floor(ids.length / 10))) measured.delete(id);
  await worker.close();
  await queue.close();
  connection.disconnect();
  return {
    complete: ok,
    jobs: ids.length,
    jobsPerSecond: (completed / elapsed) * 1000,
    cpuMsPerJob: (cpu.user + cpu.system) / 1000 / ids.length,
    phases: phases(measured),
  };
}

/** FsResultStore.put (temp file, write, fsync, rename) vs a plain writeFile, one at a time. */
async function storeOnly(): Promise<Record<string, unknown>> {
  const logger = createLogger({ level: 'warn', service: 'bench' });
  const store = createResultStore({ store: 'fs', dir: resultDir }, logger);
  await store.start();
  const plainDir = path.join(resultDir, 'plain');
  mkdirSync(plainDir, { recursive: true });
  const n = jobs;
  const record = (id: string): StatusRecord =>
    terminalRecord(jobPayload(id), 'completed', {
      startedAt: Date.now(),
      completedAt: Date.now(),
      result: [{ subject: id, property: 'noop', result: 0 }],
    });
  const measure = async (concurrency: number, f: (id: string) => Promise<unknown>) => {
    const lat: number[] = [];
    const ids = Array.from({ length: n }, () => randomUUID());
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < ids.length; i += concurrency) {
      await Promise.all(
        ids.slice(i, i + concurrency).map(async (id) => {
          const s = performance.now();
          await f(id);
          lat.push(performance.now() - s);
        }),
      );
    }
    const cpu = process.cpuUsage(cpu0);
    return {
      latencyMs: latencySummary(lat),
      perSecond: (n / (performance.now() - t0)) * 1000,
      cpuMsPerOp: (cpu.user + cpu.system) / 1000 / n,
      cpuSystemShare: cpu.system / (cpu.user + cpu.system),
    };
  };
  const plain = (id: string) =>
    writeFile(path.join(plainDir, `${id}.json`), JSON.stringify(record(id)));
  const noFsync = async (id: string) => {
    const tmp = path.join(plainDir, `.${id}.tmp`);
    const h = await open(tmp, 'wx');
    await h.writeFile(JSON.stringify(record(id)), 'utf8');
    await h.close();
    await rename(tmp, path.join(plainDir, `${id}.json`));
  };
  const result = {
    storePut: await measure(1, (id) => store.put(record(id))),
    storePutConcurrent8: await measure(8, (id) => store.put(record(id))),
    tempRenameNoFsync: await measure(1, noFsync),
    plainWriteFile: await measure(1, plain),
    plainWriteFileConcurrent8: await measure(8, plain),
  };
  await store.close();
  return result;
}

async function main(): Promise<void> {
  const result =
    mode === 'raw' ? await raw() : mode === 'store' ? await storeOnly() : await service();
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ mode, pace, ...result }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
