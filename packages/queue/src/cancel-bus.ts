import type { Redis } from 'ioredis';
import type { Logger } from '@openad-async/telemetry';

import { closeRedis } from './redis-connection';
import type { RedisKeys } from './redis-keys';

/**
 * Reaches the worker that holds a processing request. BullMQ's `worker.cancelJob` only acts
 * inside the process that runs the job, so the cancel travels over Redis pub/sub to all workers.
 */
export class CancelBus {
  private subscriber: Redis | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {}

  async publish(requestId: string): Promise<void> {
    await this.redis.publish(this.keys.cancelChannel(), requestId);
  }

  /** Calls `onCancel` for every cancel published by any api replica. */
  async subscribe(onCancel: (requestId: string) => void): Promise<void> {
    const sub = this.redis.duplicate({ maxRetriesPerRequest: null });
    this.subscriber = sub;
    sub.on('error', (err) => this.logger.warn('cancel subscriber error', { err }));
    sub.on('message', (_channel: string, id: string) => onCancel(id));
    await sub.subscribe(this.keys.cancelChannel());
  }

  async close(): Promise<void> {
    if (this.subscriber) await closeRedis(this.subscriber);
    this.subscriber = null;
  }
}
