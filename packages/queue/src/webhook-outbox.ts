import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { StatusRecord } from '@openad-async/contracts';

import type { RedisKeys } from './redis-keys';

/** The BullMQ queue of callback deliveries (workers consume it). */
export const WEBHOOK_QUEUE = 'webhook';
export const WEBHOOK_JOB_NAME = 'deliver';

/** What a delivery job carries: only the id; the record is read from the store when it runs. */
export interface WebhookJobData {
  request_id: string;
}

export interface WebhookOutboxOptions {
  /** Attempts in all, the first included. @defaultValue 5 */
  maxAttempts?: number;
  /** Delay before the first retry, doubling after each (BullMQ exponential backoff). @defaultValue 2000 */
  backoffMs?: number;
}

/**
 * Turns a stored terminal record with a pending callback into a delivery job. Called by the
 * TerminalLedger right after the record is stored, so every way a request ends (worker, cancel,
 * timeout at the api, a stalled job) gets its callback, and the api never waits for one.
 */
export class WebhookOutbox {
  readonly queue: Queue<WebhookJobData>;

  constructor(
    redis: Redis,
    keys: RedisKeys,
    private readonly o: WebhookOutboxOptions = {},
  ) {
    this.queue = new Queue<WebhookJobData>(WEBHOOK_QUEUE, {
      connection: redis,
      prefix: keys.prefix,
    });
  }

  async enqueue(record: StatusRecord): Promise<void> {
    if (record.callback?.status !== 'pending') return;
    await this.queue.add(
      WEBHOOK_JOB_NAME,
      { request_id: record.request_id },
      {
        // One delivery per request: a record stored twice (a retried write) adds nothing.
        jobId: record.request_id,
        attempts: this.o.maxAttempts ?? 5,
        backoff: { type: 'exponential', delay: this.o.backoffMs ?? 2000 },
        // Kept an hour so the jobId still deduplicates late duplicates, then dropped.
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 24 * 3600 },
      },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
