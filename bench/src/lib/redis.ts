/** Redis helpers: a unique prefix per bench run, cleaned afterwards; memory figures. */
import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';

import { onInterrupt } from './cleanup';
import { REDIS_URL } from './env';

/** A fresh prefix; its keys are deleted if the bench is interrupted (callers clean up otherwise). */
export function newPrefix(bench: string): string {
  const prefix = `bench-${bench}-${randomBytes(4).toString('hex')}`;
  onInterrupt(() => cleanPrefix(prefix));
  return prefix;
}

export function connect(name = 'openad-bench'): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: null, connectionName: name });
}

/** Deletes every key under `prefix:` (SCAN, so it never blocks Redis for long). */
export async function cleanPrefix(prefix: string): Promise<number> {
  const redis = connect('openad-bench-clean');
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** `used_memory` from INFO memory, bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** Counts keys under a prefix. */
export async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  return n;
}

/**
 * Counts `done` messages (published after each terminal record is stored) on a prefix's done
 * channel: the moment a request is readable as finished. Calls `onDone(id, at)` for each.
 */
export async function subscribeDone(
  prefix: string,
  onDone: (id: string, at: number) => void,
): Promise<{ close(): Promise<void> }> {
  const sub = connect('openad-bench-done');
  sub.on('message', (_channel: string, id: string) => onDone(id, performance.now()));
  await sub.subscribe(`${prefix}:oa:done`);
  return {
    async close() {
      sub.disconnect();
    },
  };
}
