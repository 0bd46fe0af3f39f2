import { randomBytes } from 'node:crypto';

import { Queue } from 'bullmq';

import { queueDepth } from './queue-depth';
import { closeRedis, createRedis } from './redis-connection';

describe('queueDepth', () => {
  const prefix = `qd${randomBytes(4).toString('hex')}`;
  const redis = createRedis({ url: 'redis://127.0.0.1:6379' });
  let queue: Queue;

  beforeEach(() => {
    queue = new Queue('property', { connection: redis, prefix });
  });
  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await closeRedis(redis);
  });

  it('when nothing is queued, then every priority is 0 and there is no oldest job', async () => {
    expect(await queueDepth(redis, queue)).toEqual({
      pending: { low: 0, normal: 0, high: 0, critical: 0 },
      oldestPendingAt: null,
      active: 0,
    });
  });

  it('when jobs wait prioritized, delayed and unprioritized, then each counts under its priority and the oldest is found', async () => {
    const first = await queue.add('inference', {}, { priority: 4 });
    await new Promise((r) => setTimeout(r, 5));
    await queue.add('inference', {}, { priority: 2 });
    await queue.add('inference', {}, { priority: 2 });
    await queue.add('inference', {}, { priority: 1, delay: 60_000 });
    await queue.add('inference', {}); // no priority: the wait list
    const depth = await queueDepth(redis, queue);
    expect(depth.pending).toEqual({ low: 1, normal: 1, high: 2, critical: 1 });
    expect(depth.oldestPendingAt).toBe(first.timestamp);
    expect(depth.active).toBe(0);
  });

  it('when more jobs are delayed than the read cap, then the unread ones count as normal', async () => {
    for (let i = 0; i < 3; i += 1) await queue.add('inference', {}, { priority: 1, delay: 60_000 });
    const depth = await queueDepth(redis, queue, 1);
    expect(depth.pending).toEqual({ low: 0, normal: 2, high: 0, critical: 1 });
  });
});
