import { randomBytes, randomUUID } from 'node:crypto';

import { JOB_NAME } from '@openad-async/contracts';
import { silentLogger } from '@openad-async/telemetry';

import { JobQueues } from './job-queues';
import { closeRedis, createRedis } from './redis-connection';
import { RedisKeys } from './redis-keys';
import { StatusEventHub, type JobEvent } from './status-event-hub';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('StatusEventHub', () => {
  const prefix = `seh${randomBytes(4).toString('hex')}`;
  const redis = createRedis({ url: REDIS_URL });
  const queues = new JobQueues({ redis, keys: new RedisKeys(prefix) });
  const hubs: StatusEventHub[] = [];
  const newHub = () => {
    const hub = new StatusEventHub({ redisUrl: REDIS_URL, queues, redis, logger: silentLogger });
    hubs.push(hub);
    return hub;
  };
  /** A job event in the property queue's stream (its `added` and `waiting`). */
  const addJob = (id: string) => queues.queues.property.add(JOB_NAME, {}, { jobId: id });
  /** Resolves with the events of `id` once `count` have come. */
  const collect = (events: JobEvent[], count: number) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (events.length >= count) resolve();
        else if (Date.now() - started > 5000) reject(new Error(`${events.length} events`));
        else return;
        clearInterval(poll);
      }, 10);
    });

  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(hubs.splice(0).map((h) => h.close()));
  });
  afterAll(async () => {
    await queues.queues.property.obliterate({ force: true });
    await queues.close();
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    await closeRedis(redis);
  });

  it('when nobody subscribes, then the hub reads nothing; the first subscribe opens the readers, later ones reuse them', async () => {
    const positions = jest.spyOn(redis, 'xrevrange');
    const hub = newHub();
    await addJob(randomUUID());
    expect(positions).not.toHaveBeenCalled();
    const first = await hub.subscribe(randomUUID(), () => undefined);
    expect(positions).toHaveBeenCalledTimes(2); // one start position per queue
    const second = await hub.subscribe(randomUUID(), () => undefined);
    first();
    second();
    await hub.subscribe(randomUUID(), () => undefined);
    expect(positions).toHaveBeenCalledTimes(2);
  });

  it('when a job event happens right after the first subscribe resolves, then the listener gets it', async () => {
    const hub = newHub();
    const id = randomUUID();
    const events: JobEvent[] = [];
    await hub.subscribe(id, (e) => events.push(e));
    // No wait for the reader's first read: it starts from a position read before subscribe
    // resolved, so this event cannot fall between the start and that read.
    await addJob(id);
    await collect(events, 2);
    expect(events.map((e) => e.name)).toEqual(['added', 'waiting']);
    expect(events.every((e) => e.jobId === id)).toBe(true);
  });

  it('when the readers cannot be opened, then subscribe rejects and keeps nothing, and the next subscribe opens them', async () => {
    const hub = newHub();
    jest.spyOn(redis, 'xrevrange').mockRejectedValueOnce(new Error('redis down'));
    const closedFailed = jest.fn();
    await expect(hub.subscribe(randomUUID(), () => undefined, closedFailed)).rejects.toThrow(
      'redis down',
    );
    const id = randomUUID();
    const events: JobEvent[] = [];
    await hub.subscribe(id, (e) => events.push(e));
    await addJob(id);
    await collect(events, 2);
    await hub.close();
    expect(closedFailed).not.toHaveBeenCalled();
  });

  it('when the hub closes, then open subscriptions are told, including one still opening the readers, and a later subscribe is told at once', async () => {
    const hub = newHub();
    const open = jest.fn();
    await hub.subscribe(randomUUID(), () => undefined, open);
    const hub2 = newHub();
    const opening = jest.fn();
    const subscribing = hub2.subscribe(randomUUID(), () => undefined, opening);
    await Promise.all([hub.close(), hub2.close()]);
    await subscribing;
    expect(open).toHaveBeenCalledTimes(1);
    expect(opening).toHaveBeenCalledTimes(1);
    const late = jest.fn();
    const unsubscribe = await hub.subscribe(randomUUID(), () => undefined, late);
    expect(late).toHaveBeenCalledTimes(1);
    unsubscribe();
  });
});
