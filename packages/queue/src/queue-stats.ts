import type { Redis } from 'ioredis';
import {
  PRIORITY_NAMES,
  TERMINAL_STATUSES,
  type ModelCacheStats,
  type ServiceKind,
  type ServiceStats,
  type WorkerHeartbeat,
} from '@openad-async/contracts';

import type { JobQueues } from './job-queues';
import type { RedisKeys } from './redis-keys';

export interface StatsSources {
  redis: Redis;
  keys: RedisKeys;
  queues: JobQueues;
}

const int = (v: string | undefined | null) => (v ? Number.parseInt(v, 10) || 0 : 0);

/** One service's stats: BullMQ counts, our Redis counters, and the live workers of its queue. */
export async function serviceStats(
  s: StatsSources,
  kind: ServiceKind,
  workers: WorkerHeartbeat[],
  models: ModelCacheStats,
): Promise<ServiceStats> {
  const [counts, total, statusCounts, priorityCounts] = await Promise.all([
    s.queues.queues[kind].getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
    s.redis.get(s.keys.totalRequests(kind)),
    s.redis.hgetall(s.keys.statusCounts(kind)),
    s.redis.hgetall(s.keys.priorityCounts(kind)),
  ]);
  const pending = (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
  const processing = counts.active ?? 0;
  const serving = workers.filter((w) => w.queues.includes(kind));
  return {
    queue: {
      queue_length: pending,
      processing_count: processing,
      total_requests: int(total),
      status_counts: {
        pending,
        processing,
        ...(Object.fromEntries(TERMINAL_STATUSES.map((t) => [t, int(statusCounts[t])])) as Record<
          (typeof TERMINAL_STATUSES)[number],
          number
        >),
      },
      priority_counts: {
        LOW: int(priorityCounts[PRIORITY_NAMES[0]]),
        NORMAL: int(priorityCounts[PRIORITY_NAMES[1]]),
        HIGH: int(priorityCounts[PRIORITY_NAMES[2]]),
        CRITICAL: int(priorityCounts[PRIORITY_NAMES[3]]),
      },
      max_concurrent_requests: serving.reduce((sum, w) => sum + w.concurrency, 0),
    },
    models,
    workers: serving.length,
    worker_details: serving,
  };
}
