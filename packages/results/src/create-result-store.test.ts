import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { toIso } from '@openad-async/contracts';
import { silentLogger } from '@openad-async/telemetry';

import { createResultStore } from './create-result-store';
import { HOUR, T0, sampleRecord } from './fixtures.test-helpers';
import { FsResultStore } from './fs-result-store';
import { S3ResultStore } from './s3-result-store';

describe('createResultStore', () => {
  it('when given config.results for fs, then it builds a directory store with its TTL and clock', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'results-factory-'));
    const store = createResultStore(
      { store: 'fs', ttlHours: 2, dir, cleanupIntervalSeconds: 3600, s3: null, now: () => T0 },
      silentLogger,
    );
    try {
      expect(store).toBeInstanceOf(FsResultStore);
      expect(store.kind).toBe('fs');
      await store.start();
      expect((await store.put(sampleRecord())).expires_at).toBe(toIso(T0 + 2 * HOUR));
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when given config.results for s3, then it builds an S3 store without connecting', async () => {
    const store = createResultStore(
      {
        store: 's3',
        ttlHours: 24,
        dir: '/unused',
        cleanupIntervalSeconds: 3600,
        s3: {
          bucket: 'results',
          prefix: 'prod/',
          endpoint: null,
          region: 'eu-west-1',
          forcePathStyle: false,
        },
      },
      silentLogger,
    );
    expect(store).toBeInstanceOf(S3ResultStore);
    expect((store as S3ResultStore).keyPrefix).toBe('prod/results/');
    await store.close();
  });

  it('when s3 is chosen without s3 options, then it throws naming them', () => {
    expect(() => createResultStore({ store: 's3', s3: null }, silentLogger)).toThrow(/s3 options/);
  });
});
