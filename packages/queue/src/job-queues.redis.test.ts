import { randomBytes, randomUUID } from 'node:crypto';

import { InferenceJob, type ServiceKind } from '@openad-async/contracts';

import { JobQueues, PARALLEL_DEADLINE_MARGIN_MS } from './job-queues';
import { closeRedis, createRedis } from './redis-connection';
import { RedisKeys } from './redis-keys';

describe('JobQueues.submit', () => {
  const prefix = `jq${randomBytes(4).toString('hex')}`;
  const keys = new RedisKeys(prefix);
  const redis = createRedis({ url: 'redis://127.0.0.1:6379' });
  const clock = { ms: Date.now() };
  const queues = new JobQueues({ redis, keys, now: () => clock.ms });
  const kind: ServiceKind = 'property';

  const job = (deadlineInMs: number | null, priority: InferenceJob['priority'] = 'high') =>
    InferenceJob.parse({
      request_id: randomUUID(),
      kind,
      service_type: 'get_molecule_property',
      service_name: 'test echo',
      property_type: ['length'],
      subjects: ['C'],
      parameters: {},
      priority,
      mode: 'async',
      created_at: clock.ms,
      deadline: deadlineInMs === null ? null : clock.ms + deadlineInMs,
      owner: null,
    });
  const counters = async () => ({
    total: Number((await redis.get(keys.totalRequests(kind))) ?? 0),
    priorities: await redis.hgetall(keys.priorityCounts(kind)),
    deadlines: await redis.zrange(keys.deadlines(kind), '0', '-1', 'WITHSCORES'),
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await queues.queues[kind].obliterate({ force: true });
    const ours = await redis.keys(`${prefix}:*:oa:*`);
    if (ours.length) await redis.del(...ours);
  });
  afterAll(async () => {
    await queues.close();
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    await closeRedis(redis);
  });

  it('when a request with a distant deadline is submitted, then its job, counters and deadline are all in Redis once submit resolves', async () => {
    const j = job(60_000);
    await queues.submit(j);
    expect((await queues.queues[kind].getJob(j.request_id))?.data).toEqual(j);
    expect(await counters()).toEqual({
      total: 1,
      priorities: { high: '1' },
      deadlines: [j.request_id, String(j.deadline)],
    });
  });

  it('when a request has no deadline, then it is counted and has no deadline entry', async () => {
    const j = job(null, 'low');
    await queues.submit(j);
    expect(await queues.queues[kind].getJob(j.request_id)).toBeDefined();
    expect(await counters()).toEqual({ total: 1, priorities: { low: '1' }, deadlines: [] });
  });

  /** Records when the counters' MULTI is built and when the add has landed. */
  const watchOrder = () => {
    const order: string[] = [];
    const queue = queues.queues[kind];
    const realAdd = queue.add.bind(queue);
    jest.spyOn(queue, 'add').mockImplementation(async (...args) => {
      const added = await realAdd(...args);
      order.push('added');
      return added;
    });
    const realMulti = redis.multi.bind(redis) as () => ReturnType<typeof redis.multi>;
    jest.spyOn(redis, 'multi').mockImplementation((() => {
      order.push('counters');
      return realMulti();
    }) as never);
    return order;
  };

  it('when the deadline is closer than the margin, then the job lands before its deadline entry is sent', async () => {
    const order = watchOrder();
    const j = job(PARALLEL_DEADLINE_MARGIN_MS - 1);
    await queues.submit(j);
    expect(order).toEqual(['added', 'counters']);
    expect((await counters()).deadlines).toEqual([j.request_id, String(j.deadline)]);
  });

  it('when the deadline is at least the margin away, then the counters are sent beside the add, not after it', async () => {
    const order = watchOrder();
    await queues.submit(job(PARALLEL_DEADLINE_MARGIN_MS));
    expect(order).toEqual(['counters', 'added']);
    expect((await counters()).total).toBe(1);
  });

  it('when the add fails, then the counters and the deadline are taken back and the error is thrown', async () => {
    const j = job(60_000);
    jest.spyOn(queues.queues[kind], 'add').mockRejectedValue(new Error('add refused'));
    await expect(queues.submit(j)).rejects.toThrow('add refused');
    expect(await counters()).toEqual({ total: 0, priorities: { high: '0' }, deadlines: [] });
  });
});
