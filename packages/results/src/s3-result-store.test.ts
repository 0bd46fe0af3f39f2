import { GetObjectCommand } from '@aws-sdk/client-s3';
import { silentLogger } from '@openad-async/telemetry';

import { recordingLogger, sampleRecord } from './fixtures.test-helpers';
import { S3ResultStore, type S3ResultStoreOptions } from './s3-result-store';
import { S3RVER_CREDENTIALS, startS3rver, type TestS3Server } from './s3rver.test-helpers';

describe('S3ResultStore against s3rver', () => {
  let server: TestS3Server;
  const stores: S3ResultStore[] = [];

  beforeAll(async () => {
    server = await startS3rver();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await server.close();
  });

  function makeStore(
    options: Partial<S3ResultStoreOptions> & { bucket: string },
    logger = silentLogger,
  ): S3ResultStore {
    const store = new S3ResultStore(
      {
        endpoint: server.endpoint,
        forcePathStyle: true,
        credentials: S3RVER_CREDENTIALS,
        ...options,
      },
      logger,
    );
    stores.push(store);
    return store;
  }

  it('when the server does not implement lifecycle rules, then start warns and goes on', async () => {
    const log = recordingLogger();
    const store = makeStore({ bucket: await server.createBucket(), ttlHours: 25 }, log.logger);
    await expect(store.start()).resolves.toBeUndefined();
    expect(log.entries).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'cannot set result expiry lifecycle rule; expired records stay until removed',
        fields: expect.objectContaining({ days: 2, prefix: 'results/' }),
      }),
    ]);
    await store.put(sampleRecord());
  });

  it('when a prefix has no trailing slash, then one is added before results/', async () => {
    const bucket = await server.createBucket();
    const store = makeStore({ bucket, prefix: 'env' });
    await store.start();
    const { request_id: id } = await store.put(sampleRecord());
    expect(store.keyFor(id)).toBe(`env/results/${id}.json`);
    const out = await server.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: `env/results/${id}.json` }),
    );
    expect(JSON.parse((await out.Body?.transformToString()) ?? '')).toMatchObject({
      request_id: id,
    });
  });

  it('when the bucket does not exist, then start, get and put throw instead of answering null', async () => {
    const store = makeStore({ bucket: 'no-such-bucket-here' });
    await expect(store.start()).rejects.toThrow(
      `S3 bucket "no-such-bucket-here" at ${server.endpoint} is not usable: NotFound (HTTP 404)`,
    );
    await expect(store.get(sampleRecord().request_id)).rejects.toThrow(/bucket/i);
    await expect(store.put(sampleRecord())).rejects.toThrow(/bucket/i);
  });

  it('when options are invalid, then the constructor says which', () => {
    expect(() => makeStore({ bucket: '' })).toThrow(/bucket/);
    expect(() => makeStore({ bucket: 'b', ttlHours: -1 })).toThrow(/ttlHours/);
    expect(() => makeStore({ bucket: 'b', maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});
