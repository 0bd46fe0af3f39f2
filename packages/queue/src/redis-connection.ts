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
    // Reconnect quickly but not in a tight loop. While disconnected, ioredis fails a fail-fast
    // connection's queued commands only every (maxRetriesPerRequest + 1) failed reconnects, so
    // its cap bounds how long a request waits for its 503 (about 2 s).
    retryStrategy: (times) => Math.min(200 + times * 100, blocking ? 2000 : 1000),
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

/** Socket errors that mean "the other side cannot be reached right now". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Whether an error means a backend (Redis, or the result store behind a socket) is out of reach,
 * so the caller should retry later, rather than a bug. Covers what ioredis throws on a fail-fast
 * connection during an outage: MaxRetriesPerRequestError, "Connection is closed.", "Command
 * timed out", and raw socket errors (also as a `cause`).
 */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth += 1) {
    const { name, code, message, cause } = e as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (name === 'MaxRetriesPerRequestError') return true;
    if (message === 'Connection is closed.' || message === 'Command timed out') return true;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    e = cause;
  }
  return false;
}
