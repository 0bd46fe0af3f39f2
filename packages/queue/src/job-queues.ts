import { Queue, type Job } from 'bullmq';
import type { ChainableCommander, Redis } from 'ioredis';
import {
  BULLMQ_PRIORITY,
  JOB_NAME,
  SERVICE_KINDS,
  type InferenceJob,
  type ServiceKind,
} from '@openad-async/contracts';

import type { RedisKeys } from './redis-keys';

export type InferenceBullJob = Job<InferenceJob, unknown, string>;

/**
 * How far off a deadline must be for a submit to send its deadline entry beside the add
 * rather than after it, ms: far more than the time between two commands the same process
 * sends at once, so no reaper can find the entry overdue before its job has landed.
 */
export const PARALLEL_DEADLINE_MARGIN_MS = 1000;

/** BullMQ states in which a request counts as pending. */
export const PENDING_STATES = ['waiting', 'prioritized', 'delayed', 'waiting-children'] as const;

export interface JobQueuesOptions {
  /** A shared, fail-fast connection (see createRedis). Not closed by JobQueues. */
  redis: Redis;
  keys: RedisKeys;
  /** Injected clock for tests. @defaultValue Date.now */
  now?: () => number;
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

  /**
   * Enqueues one request, and counts it and registers its deadline in one more round trip
   * sent beside the add rather than after it, so a submit waits for one round trip, not two.
   *
   * What running them side by side can change, and why it is safe:
   * - The deadline entry may reach Redis before the job. The reaper forgets an overdue entry
   *   whose job it cannot find, so it must never see one before its job lands: hence a
   *   deadline closer than PARALLEL_DEADLINE_MARGIN_MS (a tiny `timeout_seconds`; 0.0004 s
   *   even rounds to a deadline of now) takes the old order, add first.
   * - The counters may land before the job, or a worker may end the job (its claim removes the
   *   deadline) before the entry lands; the old order allowed the latter too: the reaper
   *   forgets such an entry, and the stats only ever lag by one round trip.
   * - The add may fail while the counters succeed, which the old order never did: they are
   *   taken back (best effort), so Redis ends as if the add had been tried alone.
   */
  async submit(job: InferenceJob): Promise<void> {
    const add = () =>
      this.queues[job.kind].add(JOB_NAME, job, {
        jobId: job.request_id,
        priority: BULLMQ_PRIORITY[job.priority],
      });
    const count = () => this.counting(job, 1).exec();
    if (
      job.deadline !== null &&
      job.deadline - (this.options.now ?? Date.now)() < PARALLEL_DEADLINE_MARGIN_MS
    ) {
      await add();
      await count();
      return;
    }
    const [added, counted] = await Promise.allSettled([add(), count()]);
    if (added.status === 'rejected') {
      if (counted.status === 'fulfilled') {
        await this.counting(job, -1)
          .exec()
          .catch(() => undefined);
      }
      throw added.reason;
    }
    if (counted.status === 'rejected') throw counted.reason;
  }

  /** The submission counters and deadline of `job`, counted by `by` (1, or -1 to take back). */
  private counting(job: InferenceJob, by: 1 | -1): ChainableCommander {
    const k = this.options.keys;
    const multi = this.options.redis
      .multi()
      .incrby(k.totalRequests(job.kind), by)
      .hincrby(k.priorityCounts(job.kind), job.priority, by);
    if (job.deadline === null) return multi;
    return by === 1
      ? multi.zadd(k.deadlines(job.kind), job.deadline, job.request_id)
      : multi.zrem(k.deadlines(job.kind), job.request_id);
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
