import {
  EVICTION_STRATEGIES,
  PRIORITY_NAMES,
  SERVICE_KINDS,
  type EvictionStrategyName,
  type PriorityName,
  type ServiceKind,
} from '@openad-async/contracts';
import { z } from 'zod';

import {
  envBool,
  envEnum,
  envInt,
  envList,
  envNumber,
  envOptionalLimit,
  envString,
} from './env-types';

export { EVICTION_STRATEGIES, type EvictionStrategyName };

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
const P = 'OPENAD_ASYNC_';

/** Every variable the service reads, keyed by its name so errors name it. */
const EnvSchema = z.object({
  [`${P}MAX_QUEUE_SIZE`]: envInt({ min: 1 }),
  [`${P}DEFAULT_REQUEST_TIMEOUT`]: envOptionalLimit({ min: 0 }),
  [`${P}DEFAULT_REQUEST_PRIORITY`]: envEnum(PRIORITY_NAMES),
  [`${P}MAX_WORKERS`]: envInt({ min: 1, max: 1000 }),
  [`${P}MAX_MODELS`]: envInt({ min: 1 }),
  [`${P}MAX_MEMORY_MB`]: envOptionalLimit({ min: 0 }),
  [`${P}EVICTION_STRATEGY`]: envEnum(EVICTION_STRATEGIES, {
    lru: 'least_recently_used',
    lfu: 'least_frequently_used',
    size: 'largest_size',
    largest_first: 'largest_size',
  }),
  [`${P}MEMORY_HEADROOM_MB`]: envNumber({ min: 0 }),
  [`${P}RESULT_TTL_HOURS`]: envNumber({ min: 0, exclusiveMin: true }),
  [`${P}RESULT_DIR`]: envString(),
  [`${P}CLEANUP_INTERVAL_SECONDS`]: envNumber({ min: 0, exclusiveMin: true }),
  [`${P}REDIS_URL`]: envString({
    pattern: /^rediss?:\/\/\S+$/,
    message: 'must be a redis:// or rediss:// URL',
  }),
  [`${P}QUEUE_PREFIX`]: envString({
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    message: 'must be 1-64 letters, digits, "_", "." or "-"',
  }),
  [`${P}RESULT_STORE`]: envEnum(['fs', 's3'] as const),
  [`${P}S3_BUCKET`]: envString({
    pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    message: 'must be a valid S3 bucket name',
  }),
  [`${P}S3_PREFIX`]: envString({
    pattern: /^[A-Za-z0-9_.\-/]*$/,
    message: 'must contain only letters, digits, "_", ".", "-" and "/"',
  }),
  [`${P}S3_ENDPOINT`]: envString({
    pattern: /^https?:\/\/\S+$/,
    message: 'must be an http(s) URL',
  }),
  [`${P}S3_REGION`]: envString({ pattern: /^[a-z0-9-]+$/, message: 'must be a region name' }),
  [`${P}S3_FORCE_PATH_STYLE`]: envBool(),
  [`${P}SYNC_WAIT_SECONDS`]: envNumber({ min: 0, exclusiveMin: true }),
  [`${P}MAX_BODY_KB`]: envInt({ min: 1 }),
  [`${P}RECORD_CACHE_MB`]: envNumber({ min: 0 }),
  [`${P}WORKER_QUEUES`]: envList({
    pattern: /^(property|generation)$/,
    message: 'must list property and/or generation',
  }),
  [`${P}WORKER_ID`]: envString({
    pattern: /^[A-Za-z0-9_.:-]{1,100}$/,
    message: 'must be 1-100 letters, digits, "_", ".", ":" or "-"',
  }),
  [`${P}SHUTDOWN_GRACE_SECONDS`]: envNumber({ min: 0 }),
  [`${P}HEARTBEAT_INTERVAL_SECONDS`]: envNumber({ min: 0, exclusiveMin: true }),
  [`${P}SSE_HEARTBEAT_SECONDS`]: envNumber({ min: 0, exclusiveMin: true }),
  [`${P}WEBHOOK_SECRET`]: envString({
    pattern: /^\S{32,}$/,
    message: 'must be at least 32 non-space characters',
  }),
  [`${P}CALLBACK_ALLOW_PRIVATE`]: envBool(),
  [`${P}WEBHOOK_MAX_ATTEMPTS`]: envInt({ min: 1, max: 20 }),
  [`${P}WEBHOOK_BACKOFF_SECONDS`]: envNumber({ min: 0, exclusiveMin: true }),
  [`${P}WEBHOOK_TIMEOUT_SECONDS`]: envNumber({ min: 0, exclusiveMin: true }),
  // BullMQ renews a lock every lockDuration/2; much below a second, a busy event loop loses it.
  [`${P}LOCK_DURATION_MS`]: envInt({ min: 1000 }),
  [`${P}STALLED_INTERVAL_MS`]: envInt({ min: 1000 }),
  [`${P}PLUGINS`]: envList(),
  [`${P}WORKER_METRICS_PORT`]: envInt({ min: 0, max: 65535 }),
  [`${P}API_KEYS`]: envList({
    pattern: /^\S{16,}$/,
    message: 'each key must be at least 16 non-space characters',
  }),
  [`${P}ADMIN_KEYS`]: envList({
    pattern: /^\S{16,}$/,
    message: 'each key must be at least 16 non-space characters',
  }),
  [`${P}DASHBOARD_READONLY`]: envBool(),
  [`${P}RATE_LIMIT_PER_MINUTE`]: envInt({ min: 0 }),
  [`${P}CORS_ORIGINS`]: envList(),
  [`${P}METRICS_PUBLIC`]: envBool(),
  PORT: envInt({ min: 0, max: 65535 }),
  LOG_LEVEL: envEnum(LOG_LEVELS),
});

/** The resolved configuration, passed down from each app's edge. */
export interface Config {
  queue: {
    /** Pending requests at most; a submission beyond it gets 503. @defaultValue 1000 */
    maxQueueSize: number;
    /** Seconds a request may live from submission; null = no limit. @defaultValue null */
    defaultRequestTimeoutSeconds: number | null;
    /** @defaultValue 'normal' */
    defaultPriority: PriorityName;
    /** BullMQ key prefix, so several deployments or tests share one Redis. @defaultValue 'openad' */
    prefix: string;
    /** Longest a sync request holds its HTTP connection. @defaultValue 300 */
    syncWaitSeconds: number;
  };
  redis: { /** @defaultValue 'redis://127.0.0.1:6379' */ url: string };
  worker: {
    /** Jobs one worker process runs at once (the spec's MAX_WORKERS). @defaultValue 4 */
    concurrency: number;
    /** @defaultValue both */
    queues: ServiceKind[];
    /** Stable id for logs and stats; generated when unset. */
    id: string | null;
    /** How long SIGTERM waits for active jobs. @defaultValue 30 */
    shutdownGraceSeconds: number;
    /** @defaultValue 5 */
    heartbeatIntervalSeconds: number;
    /** BullMQ job lock; a dead worker's job is free for others once it lapses. @defaultValue 30000 */
    lockDurationMs: number;
    /** How often BullMQ looks for jobs whose lock lapsed (stalled). @defaultValue 30000 */
    stalledIntervalMs: number;
    /** Port of the worker's own /metrics and /healthz; null = not served. @defaultValue null */
    metricsPort: number | null;
  };
  models: {
    /** @defaultValue 5 */
    maxModels: number;
    /** null = no memory cap. @defaultValue null */
    maxMemoryMb: number | null;
    /** @defaultValue 'least_recently_used' */
    evictionStrategy: EvictionStrategyName;
    /** Memory to keep free on the machine or container. @defaultValue 1000 */
    memoryHeadroomMb: number;
    /** Extra model modules (paths or package names) to register. @defaultValue [] */
    plugins: string[];
  };
  results: {
    /** @defaultValue 'fs' */
    store: 'fs' | 's3';
    /** @defaultValue 24 */
    ttlHours: number;
    /** @defaultValue '/tmp/openad_async_results' */
    dir: string;
    /** Directory-store sweep period. @defaultValue 3600 */
    cleanupIntervalSeconds: number;
    s3: {
      bucket: string;
      /** @defaultValue '' */
      prefix: string;
      endpoint: string | null;
      /** @defaultValue 'us-east-1' */
      region: string;
      /** @defaultValue false */
      forcePathStyle: boolean;
    } | null;
  };
  /** Live status streams (`GET /async/status/:id/events`). */
  events: {
    /** Seconds between comment lines that keep proxies from closing an idle stream. @defaultValue 15 */
    heartbeatSeconds: number;
  };
  /** Callbacks (`callback_url`): signed POSTs of the terminal status object. */
  webhooks: {
    /**
     * Server secret each key's signing secret is derived from (HMAC-SHA256 of the key's owner
     * tag); null = submissions with a callback_url are refused. @defaultValue null
     */
    secret: string | null;
    /** Allow loopback, private and link-local targets (tests, closed networks). @defaultValue false */
    allowPrivate: boolean;
    /** Delivery attempts in all, the first included. @defaultValue 5 */
    maxAttempts: number;
    /** Delay before the first retry, doubling after each. @defaultValue 2 */
    backoffSeconds: number;
    /** Longest one attempt may take. @defaultValue 10 */
    timeoutSeconds: number;
  };
  api: {
    /** @defaultValue 8080 */
    port: number;
    /** @defaultValue 1024 */
    maxBodyKb: number;
    /**
     * Memory for finished records this replica keeps to answer repeated status polls without
     * Redis or the store (records never change once stored); 0 = off. @defaultValue 32
     */
    recordCacheMb: number;
    /** Keys allowed to call the API; empty = open (warned at start). @defaultValue [] */
    apiKeys: string[];
    /**
     * Keys allowed on admin routes (the dashboard, and stats and a protected /metrics). Empty:
     * stats need only an API key, and the dashboard is closed once API keys are set (it shows
     * every key's requests). @defaultValue []
     */
    adminKeys: string[];
    /** The queue dashboard allows no retries/removals unless false. @defaultValue true */
    dashboardReadonly: boolean;
    /** Requests per minute per key (or per address when open); 0 = off. @defaultValue 0 */
    rateLimitPerMinute: number;
    /** Origins allowed by CORS; empty = CORS off. @defaultValue [] */
    corsOrigins: string[];
    /**
     * `/metrics` answers without a key (Prometheus scraping by pod annotations has none); false
     * makes it an admin route (send an admin key as bearer token). @defaultValue true
     */
    metricsPublic: boolean;
  };
  log: { /** @defaultValue 'info' */ level: (typeof LOG_LEVELS)[number] };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; throws ConfigError naming each bad variable, value and rule. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const store = e[`${P}RESULT_STORE`] ?? 'fs';
  const bucket = e[`${P}S3_BUCKET`];
  if (store === 's3' && bucket === undefined) {
    throw new ConfigError([`${P}S3_BUCKET="": is required when ${P}RESULT_STORE=s3`]);
  }
  return {
    queue: {
      maxQueueSize: e[`${P}MAX_QUEUE_SIZE`] ?? 1000,
      defaultRequestTimeoutSeconds: e[`${P}DEFAULT_REQUEST_TIMEOUT`] ?? null,
      defaultPriority: e[`${P}DEFAULT_REQUEST_PRIORITY`] ?? 'normal',
      prefix: e[`${P}QUEUE_PREFIX`] ?? 'openad',
      syncWaitSeconds: e[`${P}SYNC_WAIT_SECONDS`] ?? 300,
    },
    redis: { url: e[`${P}REDIS_URL`] ?? 'redis://127.0.0.1:6379' },
    worker: {
      concurrency: e[`${P}MAX_WORKERS`] ?? 4,
      queues: (e[`${P}WORKER_QUEUES`] as ServiceKind[] | undefined) ?? [...SERVICE_KINDS],
      id: e[`${P}WORKER_ID`] ?? null,
      shutdownGraceSeconds: e[`${P}SHUTDOWN_GRACE_SECONDS`] ?? 30,
      heartbeatIntervalSeconds: e[`${P}HEARTBEAT_INTERVAL_SECONDS`] ?? 5,
      lockDurationMs: e[`${P}LOCK_DURATION_MS`] ?? 30000,
      stalledIntervalMs: e[`${P}STALLED_INTERVAL_MS`] ?? 30000,
      metricsPort: e[`${P}WORKER_METRICS_PORT`] ?? null,
    },
    models: {
      maxModels: e[`${P}MAX_MODELS`] ?? 5,
      maxMemoryMb: e[`${P}MAX_MEMORY_MB`] ?? null,
      evictionStrategy: e[`${P}EVICTION_STRATEGY`] ?? 'least_recently_used',
      memoryHeadroomMb: e[`${P}MEMORY_HEADROOM_MB`] ?? 1000,
      plugins: e[`${P}PLUGINS`] ?? [],
    },
    results: {
      store,
      ttlHours: e[`${P}RESULT_TTL_HOURS`] ?? 24,
      dir: e[`${P}RESULT_DIR`] ?? '/tmp/openad_async_results',
      cleanupIntervalSeconds: e[`${P}CLEANUP_INTERVAL_SECONDS`] ?? 3600,
      s3:
        bucket === undefined
          ? null
          : {
              bucket,
              prefix: e[`${P}S3_PREFIX`] ?? '',
              endpoint: e[`${P}S3_ENDPOINT`] ?? null,
              region: e[`${P}S3_REGION`] ?? 'us-east-1',
              forcePathStyle: e[`${P}S3_FORCE_PATH_STYLE`] ?? false,
            },
    },
    events: { heartbeatSeconds: e[`${P}SSE_HEARTBEAT_SECONDS`] ?? 15 },
    webhooks: {
      secret: e[`${P}WEBHOOK_SECRET`] ?? null,
      allowPrivate: e[`${P}CALLBACK_ALLOW_PRIVATE`] ?? false,
      maxAttempts: e[`${P}WEBHOOK_MAX_ATTEMPTS`] ?? 5,
      backoffSeconds: e[`${P}WEBHOOK_BACKOFF_SECONDS`] ?? 2,
      timeoutSeconds: e[`${P}WEBHOOK_TIMEOUT_SECONDS`] ?? 10,
    },
    api: {
      port: e.PORT ?? 8080,
      maxBodyKb: e[`${P}MAX_BODY_KB`] ?? 1024,
      recordCacheMb: e[`${P}RECORD_CACHE_MB`] ?? 32,
      apiKeys: e[`${P}API_KEYS`] ?? [],
      adminKeys: e[`${P}ADMIN_KEYS`] ?? [],
      dashboardReadonly: e[`${P}DASHBOARD_READONLY`] ?? true,
      rateLimitPerMinute: e[`${P}RATE_LIMIT_PER_MINUTE`] ?? 0,
      corsOrigins: e[`${P}CORS_ORIGINS`] ?? [],
      metricsPublic: e[`${P}METRICS_PUBLIC`] ?? true,
    },
    log: { level: e.LOG_LEVEL ?? 'info' },
  };
}

/** The variable names this service reads; deployment checks compare manifests against it. */
export const KNOWN_ENV_VARS: readonly string[] = Object.keys(EnvSchema.shape);

/** The effective config for `/async/stats`, in the spec's variable names, without secrets. */
export function publicConfig(config: Config): Record<string, unknown> {
  return {
    max_queue_size: config.queue.maxQueueSize,
    default_request_timeout: config.queue.defaultRequestTimeoutSeconds,
    default_request_priority: config.queue.defaultPriority,
    max_workers: config.worker.concurrency,
    max_models: config.models.maxModels,
    max_memory_mb: config.models.maxMemoryMb,
    eviction_strategy: config.models.evictionStrategy,
    memory_headroom_mb: config.models.memoryHeadroomMb,
    result_ttl_hours: config.results.ttlHours,
    result_store: config.results.store,
    result_dir: config.results.store === 'fs' ? config.results.dir : null,
    s3_bucket: config.results.s3?.bucket ?? null,
    cleanup_interval_seconds: config.results.cleanupIntervalSeconds,
    sync_wait_seconds: config.queue.syncWaitSeconds,
    queue_prefix: config.queue.prefix,
    redis_url: redactUrl(config.redis.url),
  };
}

/** Passwords live in Redis URLs; never show them. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username) u.username = '***';
    return u.toString();
  } catch {
    return '[invalid url]';
  }
}
