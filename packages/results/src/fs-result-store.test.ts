import { access, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { StatusRecord } from '@openad-async/contracts';
import { silentLogger } from '@openad-async/telemetry';

import { HOUR, T0, manualClock, sampleRecord } from './fixtures.test-helpers';
import { FsResultStore } from './fs-result-store';

describe('FsResultStore', () => {
  let base: string;
  const stores: FsResultStore[] = [];

  beforeEach(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'results-fs-'));
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await rm(base, { recursive: true, force: true });
  });

  function makeStore(options: ConstructorParameters<typeof FsResultStore>[0]): FsResultStore {
    const store = new FsResultStore(options, silentLogger);
    stores.push(store);
    return store;
  }

  it('when started, then it creates the directory and files records as <dir>/results/<id>.json', async () => {
    const dir = path.join(base, 'a', 'b');
    const store = makeStore({ dir });
    await expect(store.ping()).rejects.toThrow(/ENOENT/);
    await store.start();
    const { request_id: id } = await store.put(sampleRecord());
    expect(await readdir(path.join(dir, 'results'))).toEqual([`${id}.json`]);
  });

  it('when many writes race, then no temp file is left and each file holds one whole record', async () => {
    const store = makeStore({ dir: base });
    await store.start();
    const shared = sampleRecord().request_id;
    const writes = Array.from({ length: 20 }, (_, i) =>
      store.put(i % 2 === 0 ? sampleRecord({ request_id: shared, result: { i } }) : sampleRecord()),
    );
    const stored = await Promise.all(writes);
    const names = await readdir(path.join(base, 'results'));
    expect(names.filter((n) => !n.endsWith('.json'))).toEqual([]);
    expect(names).toHaveLength(11);
    const onDisk: unknown = JSON.parse(
      await readFile(path.join(base, 'results', `${shared}.json`), 'utf8'),
    );
    expect(stored).toContainEqual(StatusRecord.parse(onDisk));
  });

  it('when a record is staged, then it is on disk but unreadable until commit, which stores what put would', async () => {
    const clock = manualClock(T0);
    const store = makeStore({ dir: base, now: clock.now, ttlHours: 2 });
    await store.start();
    const record = sampleRecord();
    const staged = await store.stage(record);
    expect(await store.get(record.request_id)).toBeNull();
    const names = await readdir(path.join(base, 'results'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^\..*\.tmp$/);
    expect(JSON.parse(await readFile(path.join(base, 'results', names[0]!), 'utf8'))).toEqual(
      staged.record,
    );
    const stored = await staged.commit();
    expect(stored).toEqual({ ...record, expires_at: new Date(T0 + 2 * HOUR).toISOString() });
    expect(await store.get(record.request_id)).toEqual(stored);
    expect(await readdir(path.join(base, 'results'))).toEqual([`${record.request_id}.json`]);
    await expect(staged.commit()).rejects.toThrow(/already settled/);
    await staged.discard();
    expect(await store.get(record.request_id)).toEqual(stored);
  });

  it('when a staged record is discarded, then nothing is left and a later commit throws', async () => {
    const store = makeStore({ dir: base });
    await store.start();
    const record = sampleRecord();
    const staged = await store.stage(record);
    await staged.discard();
    await staged.discard();
    expect(await readdir(path.join(base, 'results'))).toEqual([]);
    await expect(staged.commit()).rejects.toThrow(/already settled/);
    expect(await store.get(record.request_id)).toBeNull();
  });

  it('when a staged temp file vanished (swept), then commit rejects and stores nothing', async () => {
    const store = makeStore({ dir: base });
    await store.start();
    const record = sampleRecord();
    const staged = await store.stage(record);
    const [temp] = await readdir(path.join(base, 'results'));
    await rm(path.join(base, 'results', temp!));
    await expect(staged.commit()).rejects.toThrow(/ENOENT/);
    expect(await readdir(path.join(base, 'results'))).toEqual([]);
    expect(await store.get(record.request_id)).toBeNull();
  });

  it('when an id tries to leave the directory, then nothing is written anywhere', async () => {
    const store = makeStore({ dir: path.join(base, 'store') });
    await store.start();
    await expect(store.put(sampleRecord({ request_id: '../../escape' }))).rejects.toThrow(
      TypeError,
    );
    await expect(store.get('../../../etc/passwd')).rejects.toThrow(TypeError);
    expect((await readdir(base)).sort()).toEqual(['store']);
    expect(await readdir(path.join(base, 'store', 'results'))).toEqual([]);
  });

  it('when started, then its sweeper removes records as they expire and close stops it', async () => {
    const clock = manualClock();
    const store = makeStore({ dir: base, cleanupIntervalSeconds: 0.02, now: clock.now });
    await store.start();
    const { request_id: id } = await store.put(sampleRecord());
    const file = path.join(base, 'results', `${id}.json`);
    clock.set(T0 + 25 * HOUR);
    const deadline = Date.now() + 3000;
    while (await exists(file)) {
      if (Date.now() > deadline) throw new Error('the sweeper did not remove the expired record');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await store.close();
    const { request_id: later } = await store.put(sampleRecord({ expires_at: undefined }));
    clock.set(T0 + 50 * HOUR);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await exists(path.join(base, 'results', `${later}.json`))).toBe(true);
  });

  it('when an option is not a positive number, then the constructor names it', () => {
    expect(() => new FsResultStore({ ttlHours: 0 }, silentLogger)).toThrow(/ttlHours/);
    expect(() => new FsResultStore({ cleanupIntervalSeconds: Number.NaN }, silentLogger)).toThrow(
      /cleanupIntervalSeconds/,
    );
  });
});

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
