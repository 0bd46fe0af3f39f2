import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import type { Redis } from 'ioredis';

import { startApp, type RunningProcess } from './processes';
import { freePort } from './redis-server';
import { http, PIPELINE_MODELS } from './stack';

/** Misbehaving and quiet models: see test/fixtures/fault-models.js. */
export const FAULT_MODELS = join(__dirname, '..', 'fixtures', 'fault-models.js');

export interface ClusterOptions {
  redisUrl: string;
  /** Variables every process gets (after the defaults below). */
  env?: Record<string, string>;
  /** Model modules (absolute paths). @defaultValue [PIPELINE_MODELS] */
  plugins?: readonly string[];
}

export interface ApiProcess extends RunningProcess {
  url: string;
}

export interface WorkerProcess extends RunningProcess {
  id: string;
}

type Status = { status: string; [k: string]: unknown };

const TERMINAL = new Set(['completed', 'failed', 'timeout', 'canceled']);

/**
 * Real api and worker processes (the built apps/*\/dist/main.js) sharing one Redis, a queue
 * prefix and a results directory of their own. close() ends every process it started.
 */
export class ProcessCluster {
  readonly prefix = `f${randomBytes(4).toString('hex')}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'openad-cluster-'));
  private readonly started: RunningProcess[] = [];
  private workerCount = 0;

  constructor(readonly options: ClusterOptions) {}

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      OPENAD_ASYNC_QUEUE_PREFIX: this.prefix,
      OPENAD_ASYNC_REDIS_URL: this.options.redisUrl,
      OPENAD_ASYNC_RESULT_DIR: this.dir,
      OPENAD_ASYNC_PLUGINS: (this.options.plugins ?? [PIPELINE_MODELS]).join(','),
      OPENAD_ASYNC_HEARTBEAT_INTERVAL_SECONDS: '0.5',
      // Machines running these tests are shared; free memory is not the subject here.
      OPENAD_ASYNC_MEMORY_HEADROOM_MB: '0',
      ...this.options.env,
      ...extra,
    };
  }

  /** Starts an api process on a free port; resolves once /readyz answers 200. */
  async startApi(extra: Record<string, string> = {}): Promise<ApiProcess> {
    const port = await freePort();
    const p = startApp('api', this.env({ PORT: String(port), ...extra }));
    this.started.push(p);
    const url = `http://127.0.0.1:${port}`;
    await this.waitFor(p, 'api /readyz', async () => {
      const res = await fetch(`${url}/readyz`).catch(() => null);
      return res?.status === 200;
    });
    return Object.assign(p, { url });
  }

  /** Starts a worker process; resolves once its heartbeat is in Redis. */
  async startWorker(redis: Redis, extra: Record<string, string> = {}): Promise<WorkerProcess> {
    this.workerCount += 1;
    const id = `${this.prefix}-w${this.workerCount}`;
    const p = startApp('worker', this.env({ OPENAD_ASYNC_WORKER_ID: id, ...extra }));
    this.started.push(p);
    await this.waitFor(p, `worker ${id} heartbeat`, async () => {
      return (await redis.exists(`${this.prefix}:oa:heartbeat:${id}`)) === 1;
    });
    // The heartbeat starts just before the BullMQ workers run; the log line (info) follows them.
    if (!/^(warn|error)$/.test(this.env(extra).LOG_LEVEL ?? 'info')) {
      await this.waitFor(p, `worker ${id} started`, async () =>
        p.output().includes('worker started'),
      );
    }
    return Object.assign(p, { id });
  }

  private async waitFor(p: RunningProcess, what: string, ok: () => Promise<boolean>) {
    const end = Date.now() + 30000;
    for (;;) {
      if (await ok()) return;
      if (p.child.exitCode !== null || p.child.signalCode !== null || Date.now() > end) {
        throw new Error(`${what}: not ready (exit ${p.child.exitCode}); output:\n${p.output()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Ids of the records in the directory store (`<dir>/results/<id>.json`). */
  recordIds(): string[] {
    const results = join(this.dir, 'results');
    if (!existsSync(results)) return [];
    return readdirSync(results)
      .filter((f) => !f.startsWith('.') && f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  }

  /** SIGTERM to everything still running, SIGKILL after 10 s; then the results go. */
  async close(): Promise<void> {
    await Promise.all(
      this.started.map(async (p) => {
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 10000);
        await p.stop('SIGTERM');
        clearTimeout(timer);
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A request to the pipeline fixture's echo model (see test/fixtures/pipeline-models.js). */
export function echoRequest(
  parameters: { delay_ms?: number; fail?: boolean; busy_ms?: number } = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    service_type: 'get_molecule_property',
    service_name: 'test echo',
    parameters: { property_type: ['length'], subjects: ['CCO'], ...parameters },
    async: true,
    use_enhanced_async: true,
    ...extra,
  };
}

/** A request to the pipeline fixture's generator. */
export function generateRequest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    service_type: 'generate_data',
    service_name: 'generate with TestGen',
    parameters: { start: 1 },
    sample_size: 3,
    async: true,
    use_enhanced_async: true,
    ...extra,
  };
}

/** Submits; throws unless the api accepted it. */
export async function submit(url: string, body: unknown): Promise<string> {
  const res = await http(`${url}/service`, { body });
  const id = (res.body as { request_id?: unknown } | null)?.request_id;
  if (res.status !== 200 || typeof id !== 'string') {
    throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return id;
}

export async function statusOf(url: string, id: string): Promise<{ code: number; body: Status }> {
  const res = await http(`${url}/async/status/${id}`);
  return { code: res.status, body: res.body as Status };
}

/** Polls each id until its status is terminal; returns the final status objects by id. */
export async function waitTerminal(
  url: string,
  ids: readonly string[],
  timeoutMs: number,
): Promise<Map<string, Status>> {
  const done = new Map<string, Status>();
  const end = Date.now() + timeoutMs;
  let open = [...ids];
  while (open.length > 0) {
    const seen = await pool(open, 16, (id) => statusOf(url, id));
    open = open.filter((id, i) => {
      const s = seen[i]!;
      if (s.code === 200 && TERMINAL.has(s.body.status)) {
        done.set(id, s.body);
        return false;
      }
      return true;
    });
    if (open.length === 0) break;
    if (Date.now() > end) {
      const last = await statusOf(url, open[0]!);
      throw new Error(
        `${open.length} of ${ids.length} requests not terminal after ${timeoutMs} ms; ` +
          `e.g. ${open[0]}: ${last.code} ${JSON.stringify(last.body)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return done;
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next;
        next += 1;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Every key under a prefix (SCAN, so a big keyspace is not blocked). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [nextCursor, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = nextCursor;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}
