/** The machine, the versions, the load average, and the shared paths of the benches. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Redis } from 'ioredis';

/** Repository root (bench/dist/lib → ../../..). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BENCH_DIR = path.join(ROOT, 'bench');
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
export const NOOP_MODEL = path.join(BENCH_DIR, 'fixtures', 'noop-model.js');
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

function packageVersion(name: string): string {
  try {
    const file = path.join(ROOT, 'node_modules', ...name.split('/'), 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  ramGb: number;
  /** `uptime`'s load averages (1, 5, 15 min) when the bench started measuring. */
  loadAvgAtStart: number[];
  uptime: string;
  node: string;
  redis: string;
  bullmq: string;
  ioredis: string;
  express: string;
  rdkit: string;
  /** Commit measured (git HEAD, or .bench-commit in an exported tree), '+dirty' if edited. */
  commit: string;
}

function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps', 'packages'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    try {
      return `${readFileSync(path.join(ROOT, '.bench-commit'), 'utf8').trim().slice(0, 12)} (exported tree)`;
    } catch {
      return 'unknown';
    }
  }
}

export async function machineInfo(loadAvgAtStart: number[]): Promise<MachineInfo> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let redisVersion = 'unknown';
  try {
    const info = await redis.info('server');
    redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    redis.disconnect();
  }
  let uptime = '';
  try {
    uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    uptime = `load average: ${os.loadavg().join(', ')}`;
  }
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    ramGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAvgAtStart,
    uptime,
    node: process.version,
    redis: redisVersion,
    bullmq: packageVersion('bullmq'),
    ioredis: packageVersion('ioredis'),
    express: packageVersion('express'),
    rdkit: packageVersion('@rdkit/rdkit'),
    commit: commitOf(),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let waitedBefore = false;

/**
 * Waits until the 1-minute load average is at most `threshold` (BENCH_MAX_LOAD, 1.0): other
 * people's test suites share these cores. The first wait of a bench lasts up to BENCH_MAX_WAIT_MS
 * (180 s), later ones (between repetitions) up to BENCH_REP_WAIT_MS (60 s). Returns the load
 * averages measured under, whether or not it got quiet (the caller records them).
 */
export async function waitForQuiet(
  label: string,
  threshold = Number(process.env.BENCH_MAX_LOAD ?? 1.0),
): Promise<{ loadAvg: number[]; waitedMs: number; quiet: boolean }> {
  const maxWaitMs = waitedBefore
    ? Number(process.env.BENCH_REP_WAIT_MS ?? 60_000)
    : Number(process.env.BENCH_MAX_WAIT_MS ?? 180_000);
  waitedBefore = true;
  const start = Date.now();
  let announced = false;
  for (;;) {
    const loadAvg = os.loadavg().map((v) => Math.round(v * 100) / 100);
    const waitedMs = Date.now() - start;
    if (loadAvg[0]! <= threshold) return { loadAvg, waitedMs, quiet: true };
    if (waitedMs >= maxWaitMs) {
      console.log(
        `[${label}] load ${loadAvg.join(' ')} still above ${threshold} after ${Math.round(waitedMs / 1000)} s; measuring anyway (recorded)`,
      );
      return { loadAvg, waitedMs, quiet: false };
    }
    if (!announced) {
      console.log(`[${label}] load ${loadAvg.join(' ')} above ${threshold}; waiting…`);
      announced = true;
    }
    await sleep(5000);
  }
}
