import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { toIso, type StatusRecord } from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';

import { HOUR, T0, manualClock, recordingLogger, sampleRecord } from './fixtures.test-helpers';
import { FsResultStore } from './fs-result-store';
import type { ResultStore } from './result-store';
import { S3ResultStore } from './s3-result-store';
import { S3RVER_CREDENTIALS, startS3rver, type TestS3Server } from './s3rver.test-helpers';

interface Harness {
  /** Started. */
  store: ResultStore;
  /** The stored bytes, read around the store; null when absent. */
  readRaw(id: string): Promise<Buffer | null>;
  /** Stores bytes under the id's path or key, around the store. */
  writeRaw(id: string, body: string): Promise<void>;
  dispose(): Promise<void>;
}

interface ContractFactory {
  create(options: { now: () => number; ttlHours: number; logger: Logger }): Promise<Harness>;
  /** Not started; its backend cannot be reached or written. */
  createUnreachable(): Promise<{ store: ResultStore; dispose(): Promise<void> }>;
}

const BAD_IDS = ['../etc/passwd', 'not-a-uuid', '', '../../results/x', 'a/b', '%2e%2e%2fetc'];

function describeResultStoreContract(name: string, factory: ContractFactory): void {
  describe(`ResultStore contract: ${name}`, () => {
    let h: Harness;
    let clock: ReturnType<typeof manualClock>;
    let log: ReturnType<typeof recordingLogger>;

    beforeEach(async () => {
      clock = manualClock();
      log = recordingLogger();
      h = await factory.create({ now: clock.now, ttlHours: 24, logger: log.logger });
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('when a record is put, then get returns what put stored, with expires_at = now + TTL', async () => {
      const record = sampleRecord();
      const stored = await h.store.put(record);
      expect(stored).toEqual({ ...record, expires_at: toIso(T0 + 24 * HOUR) });
      expect(await h.store.get(record.request_id)).toEqual(stored);
    });

    it('when a record is put, then the stored bytes are exactly its JSON', async () => {
      const record = sampleRecord({
        result: { smiles: 'C'.repeat(100_000), note: 'é 漢字 🧪 "quoted"\n' },
      });
      const stored = await h.store.put(record);
      const raw = await h.readRaw(record.request_id);
      const expected = Buffer.from(JSON.stringify(stored), 'utf8');
      expect(raw?.length).toBe(expected.length);
      expect(raw?.toString('utf8')).toBe(expected.toString('utf8'));
    });

    it('when TTL hours pass, then get answers null from that exact millisecond', async () => {
      const { request_id: id } = await h.store.put(sampleRecord());
      clock.set(T0 + 24 * HOUR - 1);
      expect(await h.store.get(id)).not.toBeNull();
      clock.set(T0 + 24 * HOUR);
      expect(await h.store.get(id)).toBeNull();
    });

    it('when expires_at is given, then put keeps it and get enforces it', async () => {
      const expiresAt = toIso(T0 + 90 * 60_000);
      const stored = await h.store.put(sampleRecord({ expires_at: expiresAt }));
      expect(stored.expires_at).toBe(expiresAt);
      clock.set(T0 + 89 * 60_000);
      expect(await h.store.get(stored.request_id)).toEqual(stored);
      clock.set(T0 + 91 * 60_000);
      expect(await h.store.get(stored.request_id)).toBeNull();
    });

    it('when an id was never stored, then get answers null', async () => {
      expect(await h.store.get(sampleRecord().request_id)).toBeNull();
    });

    it('when the same id is put twice, then get returns the second record', async () => {
      const first = await h.store.put(sampleRecord({ status: 'failed', error: 'boom' }));
      const second = await h.store.put(sampleRecord({ request_id: first.request_id }));
      expect(await h.store.get(first.request_id)).toEqual(second);
    });

    it('when an id is not a UUID, then get and put throw a TypeError before any I/O', async () => {
      // Against an unreachable backend any I/O would fail differently, so a TypeError proves none ran.
      const unreachable = await factory.createUnreachable();
      try {
        for (const bad of BAD_IDS) {
          for (const store of [h.store, unreachable.store]) {
            await expect(store.get(bad)).rejects.toThrow(TypeError);
            await expect(store.get(bad)).rejects.toThrow(/must be a UUID/);
            await expect(store.put(sampleRecord({ request_id: bad }))).rejects.toThrow(TypeError);
          }
        }
      } finally {
        await unreachable.dispose();
      }
    });

    it('when a record breaks the StatusRecord schema, then put throws naming the field', async () => {
      const bad = { ...sampleRecord(), status: 'done' } as unknown as StatusRecord;
      await expect(h.store.put(bad)).rejects.toThrow(/status/);
      expect(await h.readRaw(bad.request_id)).toBeNull();
    });

    it('when a stored record is corrupt, then get answers null and logs a warning', async () => {
      const bodies = [
        '{"request_id": "trunc',
        JSON.stringify({ hello: 'world' }),
        JSON.stringify(sampleRecord()), // another request's record under this id
      ];
      for (const body of bodies) {
        const id = sampleRecord().request_id;
        await h.writeRaw(id, body);
        expect(await h.store.get(id)).toBeNull();
      }
      const warnings = log.entries.filter((e) => e.message === 'ignoring corrupt result record');
      expect(warnings).toHaveLength(bodies.length);
    });

    it('when the backend is reachable, then ping resolves', async () => {
      await expect(h.store.ping()).resolves.toBeUndefined();
    });

    it('when the backend is unreachable, then ping, get and put reject quickly', async () => {
      const unreachable = await factory.createUnreachable();
      const started = Date.now();
      try {
        const id = sampleRecord().request_id;
        await expect(unreachable.store.ping()).rejects.toThrow();
        await expect(unreachable.store.get(id)).rejects.toThrow();
        await expect(unreachable.store.put(sampleRecord())).rejects.toThrow();
      } finally {
        await unreachable.dispose();
      }
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
}

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'results-contract-'));
}

describeResultStoreContract('fs', {
  async create({ now, ttlHours, logger }) {
    const dir = await tempDir();
    const store = new FsResultStore({ dir, ttlHours, now, cleanupIntervalSeconds: 3600 }, logger);
    await store.start();
    const file = (id: string): string => path.join(dir, 'results', `${id}.json`);
    return {
      store,
      async readRaw(id) {
        return readFile(file(id)).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return null;
          throw error;
        });
      },
      async writeRaw(id, body) {
        await writeFile(file(id), body);
      },
      async dispose() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  async createUnreachable() {
    const dir = await tempDir();
    // A directory "inside" a regular file: unwritable even for root.
    await writeFile(path.join(dir, 'file'), '');
    const store = new FsResultStore(
      { dir: path.join(dir, 'file', 'sub') },
      recordingLogger().logger,
    );
    return {
      store,
      async dispose() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});

describe('with a real s3rver', () => {
  let server: TestS3Server;
  beforeAll(async () => {
    server = await startS3rver();
  });
  afterAll(async () => {
    await server.close();
  });

  describeResultStoreContract('s3', {
    async create({ now, ttlHours, logger }) {
      const bucket = await server.createBucket();
      const store = new S3ResultStore(
        {
          bucket,
          prefix: 'contract/',
          endpoint: server.endpoint,
          forcePathStyle: true,
          credentials: S3RVER_CREDENTIALS,
          ttlHours,
          now,
        },
        logger,
      );
      await store.start();
      const key = (id: string): string => `contract/results/${id}.json`;
      return {
        store,
        async readRaw(id) {
          try {
            const out = await server.client.send(
              new GetObjectCommand({ Bucket: bucket, Key: key(id) }),
            );
            return Buffer.from((await out.Body?.transformToByteArray()) ?? []);
          } catch (error) {
            if (error instanceof Error && error.name === 'NoSuchKey') return null;
            throw error;
          }
        },
        async writeRaw(id, body) {
          await server.client.send(
            new PutObjectCommand({ Bucket: bucket, Key: key(id), Body: body }),
          );
        },
        async dispose() {
          await store.close();
        },
      };
    },
    async createUnreachable() {
      const store = new S3ResultStore(
        {
          bucket: 'unreachable',
          endpoint: `http://127.0.0.1:${await closedPort()}`,
          forcePathStyle: true,
          credentials: S3RVER_CREDENTIALS,
          maxAttempts: 1,
          requestTimeoutMs: 2000,
        },
        recordingLogger().logger,
      );
      return { store, dispose: () => store.close() };
    },
  });
});

/** A loopback port nothing listens on (bound, read, then released). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port bound');
  return address.port;
}
