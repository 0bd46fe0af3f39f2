import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  BULLMQ_PRIORITY,
  JOB_NAME,
  SERVICE_KINDS,
  type InferenceJob,
  type ServiceKind,
} from '@openad-async/contracts';

import type { RedisKeys } from './redis-keys';

export type InferenceBullJob = Job<InferenceJob, unknown, string>;

/** BullMQ states in which a request counts as pending. */
export const PENDING_STATES = ['waiting', 'prioritized', 'delayed', 'waiting-children'] as const;

export interface JobQueuesOptions {
  /** A shared, fail-fast connection (see createRedis). Not closed by JobQueues. */
  redis: Redis;
  keys: RedisKeys;
}

/** The two BullMQ queues, as the api (and the worker's bookkeeping) use them. */
export class JobQueues {
  readonly queues: Readonly<Record<ServiceKind, Queue>>;

  constructor(private readonly options: JobQueuesOptions) {
    const make = (kind: ServiceKind) => {
      const queue = new Queue(kind, {
        connection: options.redis,
        prefix: options.keys.prefix,
        defaultJobOptions: {
          // The worker stores a record before it returns, so BullMQ's copy is no longer needed.
          removeOnComplete: true,
          removeOnFail: true,
          attempts: 1,
        },
      });
      // The shared connection's owner logs its errors; without a listener BullMQ prints each
      // failed reconnect of an outage to stderr, twice, as a stack trace.
      queue.on('error', () => undefined);
      return queue;
    };
    this.queues = { property: make('property'), generation: make('generation') };
  }

  /** Enqueues one request; counts it and registers its deadline in the same round trip. */
  async submit(job: InferenceJob): Promise<void> {
    const k = this.options.keys;
    await this.queues[job.kind].add(JOB_NAME, job, {
      jobId: job.request_id,
      priority: BULLMQ_PRIORITY[job.priority],
    });
    const multi = this.options.redis
      .multi()
      .incr(k.totalRequests(job.kind))
      .hincrby(k.priorityCounts(job.kind), job.priority, 1);
    if (job.deadline !== null) multi.zadd(k.deadlines(job.kind), job.deadline, job.request_id);
    await multi.exec();
  }

  /** Pending jobs (waiting, prioritized, delayed) in one queue. */
  async pendingCount(kind: ServiceKind): Promise<number> {
    return this.queues[kind].getJobCountByTypes(...PENDING_STATES);
  }

  /** The job of a request in whichever queue holds it, or null. */
  async find(id: string): Promise<{ kind: ServiceKind; job: InferenceBullJob } | null> {
    const found = await Promise.all(
      SERVICE_KINDS.map(async (kind) => {
        const job = (await this.queues[kind].getJob(id)) as InferenceBullJob | undefined;
        return job ? { kind, job } : null;
      }),
    );
    return found.find((f) => f !== null) ?? null;
  }

  /** Ids whose deadline is at or before `now`, oldest first. */
  async overdue(kind: ServiceKind, now: number, limit: number): Promise<string[]> {
    return this.options.redis.zrangebyscore(
      this.options.keys.deadlines(kind),
      0,
      now,
      'LIMIT',
      0,
      limit,
    );
  }

  async forgetDeadline(kind: ServiceKind, id: string): Promise<void> {
    await this.options.redis.zrem(this.options.keys.deadlines(kind), id);
  }

  async close(): Promise<void> {
    await Promise.all(SERVICE_KINDS.map((kind) => this.queues[kind].close()));
  }
}
