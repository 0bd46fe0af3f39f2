import { z } from 'zod';

import { REQUEST_STATUSES } from './status';

const countsOf = <T extends readonly string[]>(names: T) =>
  z.object(
    Object.fromEntries(names.map((n) => [n, z.number().int()])) as Record<T[number], z.ZodNumber>,
  );

export const QueueStats = z.object({
  queue_length: z.number().int(),
  processing_count: z.number().int(),
  total_requests: z.number().int(),
  status_counts: countsOf(REQUEST_STATUSES),
  priority_counts: countsOf(['LOW', 'NORMAL', 'HIGH', 'CRITICAL'] as const),
  max_concurrent_requests: z.number().int(),
});
export type QueueStats = z.infer<typeof QueueStats>;

export const ModelStats = z.object({
  size_mb: z.number(),
  load_time: z.string().nullable(),
  last_used: z.string().nullable(),
  use_count: z.number().int(),
  is_loading: z.boolean(),
});
export type ModelStats = z.infer<typeof ModelStats>;

export const ModelCacheStats = z.object({
  loaded_models: z.number().int(),
  loading_models: z.number().int(),
  total_memory_mb: z.number(),
  max_models: z.number().int(),
  max_memory_mb: z.number().nullable(),
  eviction_strategy: z.string(),
  hits: z.number().int(),
  misses: z.number().int(),
  evictions: z.number().int(),
  load_failures: z.number().int(),
  models: z.record(z.string(), ModelStats),
});
export type ModelCacheStats = z.infer<typeof ModelCacheStats>;

/** What each worker process publishes to Redis every few seconds. */
export const WorkerHeartbeat = z.object({
  worker_id: z.string(),
  hostname: z.string(),
  pid: z.number().int(),
  started_at: z.string(),
  queues: z.array(z.string()),
  concurrency: z.number().int(),
  active_jobs: z.number().int(),
  models: ModelCacheStats,
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;

export const ServiceStats = z.object({
  queue: QueueStats,
  models: ModelCacheStats,
  workers: z.number().int(),
  worker_details: z.array(
    WorkerHeartbeat.omit({ models: true }).extend({ models: ModelCacheStats }),
  ),
});
export type ServiceStats = z.infer<typeof ServiceStats>;
