/**
 * The service under test, as deployed: the real api and worker processes (built apps, env
 * config), on a private queue prefix and a temp results directory; and the baseline servers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { onInterrupt } from './cleanup';
import { NOOP_MODEL, REDIS_URL, sleep } from './env';
import { APP_SCRIPT, BENCH_DIST, freePort, spawnNode, waitHttp, type Child } from './procs';
import { cleanPrefix, connect } from './redis';

export interface ServiceOptions {
  prefix: string;
  logDir: string;
  /** Extra OPENAD_ASYNC_* and other env for both processes. */
  env?: Record<string, string>;
  workerEnv?: Record<string, string>;
  /** Model plugins besides the built-ins. @defaultValue [NOOP_MODEL] */
  plugins?: string[];
  /** Worker processes to start. @defaultValue 1 */
  workers?: number;
  /** Node flags for the api and workers (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** @defaultValue 'info' (the product default) */
  logLevel?: string;
}

export interface Service {
  port: number;
  api: Child;
  workers: Child[];
  resultDir: string;
  startWorker(extraEnv?: Record<string, string>): Promise<Child>;
  stop(): Promise<void>;
}

export async function startService(o: ServiceOptions): Promise<Service> {
  const resultDir = mkdtempSync(path.join(tmpdir(), 'openad-bench-results-'));
  onInterrupt(() => rmSync(resultDir, { recursive: true, force: true }));
  const port = await freePort();
  const plugins = o.plugins ?? [NOOP_MODEL];
  const env: Record<string, string> = {
    OPENAD_ASYNC_REDIS_URL: REDIS_URL,
    OPENAD_ASYNC_QUEUE_PREFIX: o.prefix,
    OPENAD_ASYNC_RESULT_DIR: resultDir,
    OPENAD_ASYNC_PLUGINS: plugins.join(','),
    OPENAD_ASYNC_MAX_QUEUE_SIZE: '10000000',
    OPENAD_ASYNC_MAX_WORKERS: '8',
    LOG_LEVEL: o.logLevel ?? 'info',
    ...o.env,
  };
  const api = spawnNode({
    name: 'api',
    script: APP_SCRIPT.api,
    env: { ...env, PORT: String(port) },
    logDir: o.logDir,
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
  });
  const workers: Child[] = [];
  const startWorker = async (extraEnv: Record<string, string> = {}): Promise<Child> => {
    const redis = connect('openad-bench-probe');
    try {
      const before = await redis.zcard(`${o.prefix}:oa:workers`);
      const w = spawnNode({
        name: `worker${workers.length}`,
        script: APP_SCRIPT.worker,
        env: { ...env, ...o.workerEnv, ...extraEnv },
        logDir: o.logDir,
        ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
      });
      workers.push(w);
      // Ready once its first heartbeat is in (published right after its BullMQ workers start).
      const end = Date.now() + 30_000;
      while ((await redis.zcard(`${o.prefix}:oa:workers`)) <= before) {
        if (w.proc.exitCode !== null || Date.now() > end) {
          throw new Error(`worker did not start:\n${w.log().slice(-3000)}`);
        }
        await sleep(50);
      }
      return w;
    } finally {
      redis.disconnect();
    }
  };
  await waitHttp(api, port);
  for (let i = 0; i < (o.workers ?? 1); i += 1) await startWorker();
  return {
    port,
    api,
    workers,
    resultDir,
    startWorker,
    async stop() {
      await Promise.all([api.stop(), ...workers.map((w) => w.stop())]);
      rmSync(resultDir, { recursive: true, force: true });
      await cleanPrefix(o.prefix);
    },
  };
}

export type BaselineMode = 'node-http' | 'express' | 'express-queue';

/** A baseline server (bench/dist/servers/baseline.js) in its own process. */
export async function startBaseline(
  mode: BaselineMode,
  o: { prefix: string; logDir: string; statusBody?: string; nodeArgs?: string[] },
): Promise<{ port: number; child: Child; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawnNode({
    name: `baseline-${mode}`,
    script: path.join(BENCH_DIST, 'servers', 'baseline.js'),
    env: {
      BENCH_MODE: mode,
      PORT: String(port),
      BENCH_PREFIX: o.prefix,
      BENCH_REDIS_URL: REDIS_URL,
      ...(o.statusBody ? { BENCH_STATUS_BODY: o.statusBody } : {}),
    },
    logDir: o.logDir,
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
  });
  await waitHttp(child, port, '/health');
  return {
    port,
    child,
    async stop() {
      await child.stop();
      await cleanPrefix(o.prefix);
    },
  };
}

/** The body every submit bench sends: one subject, one property, enhanced async, a deadline. */
export function noopSubmitBody(): string {
  return JSON.stringify({
    service_type: 'get_molecule_property',
    service_name: 'bench noop',
    parameters: { property_type: ['noop'], subjects: ['CC(=O)OC1=CC=CC=C1C(=O)O'] },
    async: true,
    use_enhanced_async: true,
    priority: 'normal',
    timeout_seconds: 600,
  });
}

/** `{"request_id":"…"}` → the id (cheap: no JSON.parse on the client's hot path). */
export function requestIdOf(body: Buffer): string | null {
  const s = body.toString('latin1');
  const m = /"request_id":"([0-9a-f-]{36})"/.exec(s);
  return m?.[1] ?? null;
}
