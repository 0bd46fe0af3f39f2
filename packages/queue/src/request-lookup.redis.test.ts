import { randomBytes, randomUUID } from 'node:crypto';

import { Worker } from 'bullmq';
import type { InferenceJob } from '@openad-async/contracts';

import { JobQueues } from './job-queues';
import { closeRedis, createRedis } from './redis-connection';
import { RedisKeys } from './redis-keys';
import { RequestLookup } from './request-lookup';
import { TerminalLedger } from './terminal-ledger';

function job(kind: InferenceJob['kind']): InferenceJob {
  const now = Date.now();
  return {
    request_id: randomUUID(),
    kind,
    service_type: kind === 'property' ? 'get_molecule_property' : 'generate_data',
    service_name: 'noop',
    property_type: [],
    subjects: ['C'],
    parameters: {},
    priority: 'normal',
    mode: 'async',
    created_at: now,
    deadline: now + 60_000,
    owner: null,
  };
}

describe('RequestLookup', () => {
  const prefix = `rl${randomBytes(4).toString('hex')}`;
  const redis = createRedis({ url: 'redis://127.0.0.1:6379' });
  const keys = new RedisKeys(prefix);
  const queues = new JobQueues({ redis, keys });
  const lookup = new RequestLookup(redis, keys, queues);
  const ledger = new TerminalLedger({
    redis,
    keys,
    store: {
      put: () => Promise.reject(new Error('not used')),
      get: () => Promise.resolve(null),
    },
  });

  afterAll(async () => {
    await queues.close();
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    await closeRedis(redis);
  });

  it('when the id is unknown, then there is neither a claim nor a job', async () => {
    expect(await lookup.lookup(randomUUID())).toEqual({ claim: null, live: null });
  });

  it('when a job waits in either queue, then its kind and payload come back, not yet taken', async () => {
    for (const kind of ['property', 'generation'] as const) {
      const j = job(kind);
      await queues.submit(j);
      expect(await lookup.lookup(j.request_id)).toEqual({
        claim: null,
        live: { kind, data: j, processedOn: null, progress: undefined },
      });
    }
  });

  it('when a request is claimed, then the claim comes back with the job until the job is removed', async () => {
    const j = job('generation');
    await queues.submit(j);
    expect((await ledger.claim('generation', j.request_id, 'canceled')).won).toBe(true);
    const claimed = await lookup.lookup(j.request_id);
    expect(claimed.claim).toBe('canceled');
    expect(claimed.live?.kind).toBe('generation');
    await queues.queues.generation.remove(j.request_id);
    expect(await lookup.lookup(j.request_id)).toEqual({ claim: 'canceled', live: null });
  });

  it('when a worker has taken the job and reported progress, then both are read', async () => {
    const j = job('property');
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let progressed!: () => void;
    const seenProgress = new Promise<void>((r) => (progressed = r));
    await queues.queues.property.drain(); // the worker must take this test's job
    const connection = createRedis({ url: 'redis://127.0.0.1:6379', mode: 'blocking' });
    const worker = new Worker(
      'property',
      async (bull) => {
        await bull.updateProgress({ done: 1, total: 2 });
        progressed();
        await released;
      },
      { connection, prefix },
    );
    try {
      await queues.submit(j);
      await seenProgress;
      const seen = await lookup.lookup(j.request_id);
      expect(seen.claim).toBeNull();
      expect(seen.live?.processedOn).toEqual(expect.any(Number));
      expect(seen.live?.progress).toEqual({ done: 1, total: 2 });
    } finally {
      release();
      await worker.close();
      await closeRedis(connection);
    }
  });
});
