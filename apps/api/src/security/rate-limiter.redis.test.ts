import { randomBytes } from 'node:crypto';

import { closeRedis, createRedis, RedisKeys } from '@openad-async/queue';

import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  const keys = new RedisKeys(`rl${randomBytes(4).toString('hex')}`);
  const redis = createRedis({ url: 'redis://127.0.0.1:6379' });
  afterAll(async () => {
    const left = await redis.keys(`${keys.prefix}:*`);
    if (left.length) await redis.del(...left);
    await closeRedis(redis);
  });

  it('when a caller uses its limit, then it waits until the oldest request leaves the window', async () => {
    const limiter = new RateLimiter({ redis, keys, limit: 2, windowMs: 400 });
    expect(await limiter.take('a')).toEqual({ allowed: true, remaining: 1 });
    expect(await limiter.take('a')).toEqual({ allowed: true, remaining: 0 });
    expect(await limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect((await limiter.take('b')).allowed).toBe(true);
    await new Promise((r) => setTimeout(r, 450));
    expect(await limiter.take('a')).toEqual({ allowed: true, remaining: 1 });
  });

  it('when requests are refused, then they do not extend the wait', async () => {
    const limiter = new RateLimiter({ redis, keys, limit: 1, windowMs: 300 });
    expect((await limiter.take('c')).allowed).toBe(true);
    for (let i = 0; i < 5; i += 1) expect((await limiter.take('c')).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    expect((await limiter.take('c')).allowed).toBe(true);
  });

  it('keeps no key longer than its window', async () => {
    const limiter = new RateLimiter({ redis, keys, limit: 5, windowMs: 60_000 });
    await limiter.take('d');
    const ttl = await redis.pttl(keys.rateLimit('d'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
