/**
 * The durable write of one record, alone: ways of getting a record's bytes on disk under a temp
 * name and renamed into place, compared on the same text in the same directory. Each async fs
 * call is a round trip to the libuv pool; the question is how much of a put those trips cost
 * next to the flush itself.
 * Variants run interleaved in rounds (so a change in the machine's load hits them all alike),
 * one write at a time and 8 at a time. No JSON here: the same encoded record for every write.
 * Env: BENCH_N (2000 writes per variant and concurrency), BENCH_ROUND (100), BENCH_GAP_MS (0:
 * back to back; the worker paced at 100/s waits ~10 ms), BENCH_DIR (a temp
 * directory under os.tmpdir(); it must be on the disk the store would use).
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  fsyncSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

import type { InferenceJob } from '@openad-async/contracts';
import { terminalRecord } from '@openad-async/queue';
import { FsResultStore } from '@openad-async/results';
import { createLogger } from '@openad-async/telemetry';

import { table } from './lib/report';
import { fmt, latencySummary, type LatencySummary } from './lib/stats';

const N = Number(process.env.BENCH_N ?? 2000);
const ROUND = Number(process.env.BENCH_ROUND ?? 100);
/** Pause between writes (or batches of 8): the worker at 100 jobs/s writes into a quiet disk. */
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 0);
const base = process.env.BENCH_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'openad-store-write-'));
const dir = path.join(base, 'results');

const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = constants;

/** A worker thread that does the whole sequence with sync calls: one round trip per write. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', ({ seq, temp, target, text }) => {
  try {
    const fd = fs.openSync(temp, 'wx');
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
    parentPort.postMessage({ seq });
  } catch (e) {
    try { fs.unlinkSync(temp); } catch {}
    parentPort.postMessage({ seq, error: String(e) });
  }
});
`;

function threadWriter() {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  worker.unref();
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let seq = 0;
  worker.on('message', (m: { seq: number; error?: string }) => {
    const w = waiting.get(m.seq);
    waiting.delete(m.seq);
    if (m.error) w?.reject(new Error(m.error));
    else w?.resolve();
  });
  return {
    write(temp: string, target: string, text: string): Promise<void> {
      seq += 1;
      const s = seq;
      return new Promise<void>((resolve, reject) => {
        waiting.set(s, { resolve, reject });
        worker.postMessage({ seq: s, temp, target, text });
      });
    },
    close: () => worker.terminate(),
  };
}

const temp = () => path.join(dir, `.write.${randomUUID()}.tmp`);
const target = () => path.join(dir, `${randomUUID()}.json`);

/** Writes all of `buf` with positional writes; a short write is legal and must be finished. */
async function writeAll(handle: Awaited<ReturnType<typeof open>>, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await handle.write(buf, off, buf.length - off, off);
    off += bytesWritten;
  }
}

type Variant = (text: string) => Promise<void>;

async function main(): Promise<void> {
  const logger = createLogger({ level: 'warn', service: 'bench' });
  const store = new FsResultStore({ dir: base, cleanupIntervalSeconds: 3600 }, logger);
  await store.start();
  const thread = threadWriter();
  type Spare = { handle: FileHandle; path: string };
  let spares: Promise<Spare>[] = [];
  const openSpare = async (): Promise<Spare> => {
    const p = temp();
    return { handle: await open(p, 'wx'), path: p };
  };
  const dropSpares = async () => {
    for (const s of await Promise.all(spares)) await s.handle.close();
    spares = [];
  };
  const id = randomUUID();
  const job: InferenceJob = {
    request_id: id,
    kind: 'property',
    service_type: 'get_molecule_property',
    service_name: 'bench noop',
    property_type: ['noop'],
    subjects: [id],
    parameters: {},
    priority: 'normal',
    mode: 'async',
    created_at: Date.now(),
    deadline: null,
    owner: null,
  };
  const record = terminalRecord(job, 'completed', {
    startedAt: Date.now(),
    completedAt: Date.now(),
    result: [{ subject: id, property: 'noop', result: 0 }],
  });
  const text = JSON.stringify({ ...record, expires_at: new Date().toISOString() });

  const variants: Record<string, { label: string; run: Variant }> = {
    storePut: {
      label: 'FsResultStore.put (as committed: validate + encode + the write below)',
      run: async () => {
        await store.put({ ...record, request_id: randomUUID() });
      },
    },
    current: {
      label: 'open wx, writeFile, fsync, close, rename (5 pool trips)',
      run: async (t) => {
        const tmp = temp();
        const h = await open(tmp, 'wx');
        try {
          await h.writeFile(t, 'utf8');
          await h.sync();
        } finally {
          await h.close();
        }
        await rename(tmp, target());
      },
    },
    dsync: {
      label: 'open wx|O_DSYNC, one write, close, rename (4 trips)',
      run: async (t) => {
        const tmp = temp();
        const h = await open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_DSYNC, 0o666);
        try {
          await writeAll(h, Buffer.from(t, 'utf8'));
        } finally {
          await h.close();
        }
        await rename(tmp, target());
      },
    },
    dsyncWriteFile: {
      label: 'fs.promises.writeFile(path, flag wx|O_DSYNC), rename (4 trips)',
      run: async (t) => {
        const tmp = temp();
        await writeFile(tmp, t, { flag: O_WRONLY | O_CREAT | O_EXCL | O_DSYNC });
        await rename(tmp, target());
      },
    },
    spare: {
      label: 'temp file created ahead, off the path; write, fsync, close, rename (4 trips)',
      run: async (t) => {
        const next = spares.shift() ?? openSpare();
        spares.push(openSpare());
        const { handle, path: tmp } = await next;
        try {
          await handle.writeFile(t, 'utf8');
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(tmp, target());
      },
    },
    thread: {
      label: 'dedicated worker thread: sync open, write, fsync, close, rename (1 message trip)',
      run: (t) => thread.write(temp(), target(), t),
    },
    mainSync: {
      label: 'reference: the same sync calls on the main thread (blocks the event loop)',
      run: async (t) => {
        const tmp = temp();
        const fd = openSync(tmp, 'wx');
        try {
          writeSync(fd, t);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, target());
      },
    },
    noFsync: {
      label: 'reference: open wx, writeFile, close, rename, no fsync (not durable)',
      run: async (t) => {
        const tmp = temp();
        const h = await open(tmp, 'wx');
        try {
          await h.writeFile(t, 'utf8');
        } finally {
          await h.close();
        }
        await rename(tmp, target());
      },
    },
  };

  const results: Record<string, { lat: number[]; cpuUs: number; wallMs: number }> = {};
  const concurrencies = [1, 8];
  for (const c of concurrencies) {
    for (const k of Object.keys(variants)) results[`${k}@${c}`] = { lat: [], cpuUs: 0, wallMs: 0 };
  }
  // Warm-up: JIT, the worker thread's start, the directory's first blocks.
  for (const v of Object.values(variants)) for (let i = 0; i < 50; i += 1) await v.run(text);
  await dropSpares();

  const load0 = os.loadavg();
  const entries = Object.entries(variants);
  for (let done = 0, round = 0; done < N; done += ROUND, round += 1) {
    // Each round starts at another variant: the first writes into a fresh directory run faster.
    const order = [
      ...entries.slice(round % entries.length),
      ...entries.slice(0, round % entries.length),
    ];
    for (const c of concurrencies) {
      for (const [k, v] of order) {
        const r = results[`${k}@${c}`]!;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < ROUND; i += c) {
          await Promise.all(
            Array.from({ length: Math.min(c, ROUND - i) }, async () => {
              const s = performance.now();
              await v.run(text);
              r.lat.push(performance.now() - s);
            }),
          );
          if (GAP_MS > 0) await new Promise((resolve) => setTimeout(resolve, GAP_MS));
        }
        r.wallMs += performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        r.cpuUs += cpu.user + cpu.system;
      }
    }
    await dropSpares();
    // Keep the directory small: a directory of 100k entries is not what a put meets.
    rmSync(dir, { recursive: true, force: true });
    await store.start();
  }
  const load1 = os.loadavg();
  await thread.close();
  await store.close();
  if (!process.env.BENCH_DIR) rmSync(base, { recursive: true, force: true });

  const rows: string[][] = [];
  const json: Record<string, LatencySummary & { perSecond: number; cpuMsPerOp: number }> = {};
  for (const c of concurrencies) {
    for (const [k, v] of Object.entries(variants)) {
      const r = results[`${k}@${c}`]!;
      const s = latencySummary(r.lat);
      const perSecond = (r.lat.length / r.wallMs) * 1000;
      const cpuMsPerOp = r.cpuUs / 1000 / r.lat.length;
      json[`${k}@${c}`] = { ...s, perSecond, cpuMsPerOp };
      rows.push([
        `${v.label}${c > 1 ? `, ${c} at a time` : ''}`,
        fmt(s.p50),
        fmt(s.p99),
        fmt(perSecond),
        fmt(cpuMsPerOp, 3),
      ]);
    }
  }
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  console.log(
    [
      `store-write: ${N} writes per variant and concurrency, rounds of ${ROUND}, ${GAP_MS} ms between writes, ${os.cpus().length} cores,`,
      `Node ${process.version}, dir ${base}; load average (1/5/15) ${fmtLoad(load0)} at start, ${fmtLoad(load1)} at end`,
      `(CPU ms/op is this process's, main and pool threads; the worker thread's is included)`,
      '',
      ...table(['write', 'p50 ms', 'p99 ms', 'writes/s', 'CPU ms/op'], rows),
    ].join('\n'),
  );
  if (process.env.BENCH_JSON) console.log(JSON.stringify(json));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
