import type { Redis } from 'ioredis';
import type { Logger } from '@openad-async/telemetry';

import { CancelBus } from './cancel-bus';
import { Heartbeats } from './heartbeats';
import { JobQueues } from './job-queues';
import type { RecordStore } from './record-store';
import { closeRedis, createRedis, waitReady } from './redis-connection';
import { RecordCache } from './record-cache';
import { RedisKeys } from './redis-keys';
import { RequestLookup } from './request-lookup';
import { RequestTracker } from './request-tracker';
import { TerminalLedger } from './terminal-ledger';
import { WebhookOutbox, type WebhookOutboxOptions } from './webhook-outbox';

export interface BackplaneOptions {
  /** @defaultValue 'redis://127.0.0.1:6379' in the apps' config */
  redisUrl: string;
  /** BullMQ key prefix. */
  prefix: string;
  store: RecordStore;
  logger: Logger;
  /** Injected clock for tests. @defaultValue Date.now */
  now?: () => number;
  /**
   * Budget of the in-process cache of terminal records that status reads consult before Redis
   * (the api sets it; a worker reads few records). 0 = no cache. @defaultValue 0
   */
  recordCacheBytes?: number;
  /** Callback delivery retries. @defaultValue WebhookOutbox's defaults */
  webhooks?: WebhookOutboxOptions;
}

/**
 * The shared state both apps talk through: one fail-fast Redis connection, the queues, the
 * terminal ledger, the tracker, the cancel bus and the heartbeats. Owned by each app.
 */
export class Backplane {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly queues: JobQueues;
  readonly ledger: TerminalLedger;
  readonly cancelBus: CancelBus;
  readonly tracker: RequestTracker;
  readonly heartbeats: Heartbeats;
  readonly webhooks: WebhookOutbox;

  constructor(readonly options: BackplaneOptions) {
    this.redis = createRedis({ url: options.redisUrl, name: 'openad-async' });
    this.redis.on('error', (err) => options.logger.warn('redis connection error', { err }));
    this.keys = new RedisKeys(options.prefix);
    this.queues = new JobQueues({
      redis: this.redis,
      keys: this.keys,
      ...(options.now ? { now: options.now } : {}),
    });
    this.webhooks = new WebhookOutbox(this.redis, this.keys, options.webhooks);
    this.ledger = new TerminalLedger({
      redis: this.redis,
      keys: this.keys,
      store: options.store,
      afterStore: (record) => this.webhooks.enqueue(record),
    });
    this.cancelBus = new CancelBus(this.redis, this.keys, options.logger);
    this.heartbeats = new Heartbeats(this.redis, this.keys);
    const cacheBytes = options.recordCacheBytes ?? 0;
    this.tracker = new RequestTracker({
      queues: this.queues,
      lookup: new RequestLookup(this.redis, this.keys, this.queues),
      ...(cacheBytes > 0 ? { cache: new RecordCache({ maxBytes: cacheBytes }) } : {}),
      ledger: this.ledger,
      store: options.store,
      cancelBus: this.cancelBus,
      logger: options.logger,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Waits for Redis, so a bad URL fails at start with a clear message. */
  async start(timeoutMs = 5000): Promise<void> {
    await waitReady(this.redis, timeoutMs);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.cancelBus.close();
    await this.queues.close().catch(() => undefined);
    await this.webhooks.close().catch(() => undefined);
    await closeRedis(this.redis);
  }
}
