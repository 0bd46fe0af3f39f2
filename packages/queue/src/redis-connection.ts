import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  /**
   * Blocking users (BullMQ workers, subscribers) must retry forever; request paths should fail
   * fast instead, so an outage becomes a quick 503 rather than a hung request.
   * @defaultValue 'fail-fast'
   */
  mode?: 'fail-fast' | 'blocking';
  /** Connection name shown by CLIENT LIST. */
  name?: string;
}

export function createRedis(options: RedisConnectionOptions): Redis {
  const blocking = options.mode === 'blocking';
  return new Redis(options.url, {
    // BullMQ requires null on connections it blocks on.
    maxRetriesPerRequest: blocking ? null : 1,
    enableReadyCheck: true,
    connectionName: options.name,
    // Reconnect quickly but not in a tight loop.
    retryStrategy: (times) => Math.min(200 + times * 100, 2000),
    ...(blocking ? {} : { connectTimeout: 2000, commandTimeout: 5000 }),
  });
}

/** Resolves once the connection is ready; rejects after `timeoutMs`. */
export async function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/** quit() when connected, disconnect() otherwise: quit() on a dead connection never settles. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
