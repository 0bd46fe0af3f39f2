import { randomUUID } from 'node:crypto';

import type { RedisKeys } from '@openad-async/queue';
import type { Redis } from 'ioredis';

/**
 * Sliding-log rate limit: at most ARGV[1] requests in any window of ARGV[2] ms, per caller.
 * KEYS[1] the caller's sorted set of request times (see RedisKeys.rateLimit)
 * ARGV[1] limit, ARGV[2] window ms, ARGV[3] a unique member for this request
 * Returns { allowed (1|0), retry_after_ms, remaining }.
 * Time comes from Redis (TIME), so api replicas with skewed clocks still share one window.
 * Refused requests are not logged, so a caller that keeps trying gets in once the window frees.
 */
const RATE_SCRIPT = `
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local retry = window
  if oldest[2] then retry = tonumber(oldest[2]) + window - now end
  return {0, math.max(retry, 1), 0}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0, limit - used - 1}
`;

type LimitingRedis = Redis & {
  oaRateLimit(key: string, limit: number, windowMs: number, member: string): Promise<number[]>;
};

export type RateDecision =
  { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiterOptions {
  /** A fail-fast connection shared with the rest of the api. */
  redis: Redis;
  keys: RedisKeys;
  /** Requests per window per caller; must be positive. */
  limit: number;
  /** @defaultValue 60000 */
  windowMs?: number;
}

/** A per-caller request limit shared by every api replica through Redis. */
export class RateLimiter {
  private readonly redis: LimitingRedis;
  readonly limit: number;
  private readonly windowMs: number;

  constructor(private readonly o: RateLimiterOptions) {
    const redis = o.redis as LimitingRedis;
    if (typeof redis.oaRateLimit !== 'function') {
      redis.defineCommand('oaRateLimit', { numberOfKeys: 1, lua: RATE_SCRIPT });
    }
    this.redis = redis;
    this.limit = o.limit;
    this.windowMs = o.windowMs ?? 60_000;
  }

  /** Counts one request of `callerId` (an owner tag, or `ip:<address>`) if it fits. */
  async take(callerId: string): Promise<RateDecision> {
    const [allowed = 1, retryMs = 0, remaining = 0] = await this.redis.oaRateLimit(
      this.o.keys.rateLimit(callerId),
      this.limit,
      this.windowMs,
      randomUUID(),
    );
    if (allowed === 1) return { allowed: true, remaining };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) };
  }
}
