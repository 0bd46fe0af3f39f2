import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { toIso } from '@openad-async/contracts';

import { HOUR, T0, manualClock, recordingLogger, sampleRecord } from './fixtures.test-helpers';
import { DirectorySweeper } from './sweeper';

describe('DirectorySweeper', () => {
  let dir: string;
  let results: string;
  let sweeper: DirectorySweeper;
  const clock = manualClock();
  const log = recordingLogger();

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'results-sweeper-'));
    results = path.join(dir, 'results');
    await mkdir(results);
    clock.set(T0);
    log.entries.length = 0;
    sweeper = new DirectorySweeper(
      { dir, ttlHours: 24, intervalSeconds: 3600, now: clock.now },
      log.logger,
    );
  });
  afterEach(async () => {
    await sweeper.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function writeRecord(expiresAt: number | null): Promise<string> {
    const record = sampleRecord();
    if (expiresAt !== null) record.expires_at = toIso(expiresAt);
    await writeFile(path.join(results, `${record.request_id}.json`), JSON.stringify(record));
    return `${record.request_id}.json`;
  }

  async function age(name: string, ms: number): Promise<void> {
    const when = new Date(Date.now() - ms);
    await utimes(path.join(results, name), when, when);
  }

  it('when records have expired, then it deletes them and keeps live and undated ones', async () => {
    const expired = await writeRecord(T0 - 1);
    const boundary = await writeRecord(T0);
    const live = await writeRecord(T0 + HOUR);
    const undated = await writeRecord(null);
    expect(await sweeper.sweep()).toEqual({ deletedRecords: 2, deletedTempFiles: 0 });
    const left = await readdir(results);
    expect(left.sort()).toEqual([live, undated].sort());
    expect(left).not.toContain(expired);
    expect(left).not.toContain(boundary);
  });

  it('when temp files are older than 15 minutes, then it deletes them and keeps fresh ones', async () => {
    await writeFile(path.join(results, '.write.old.tmp'), '{"half');
    await writeFile(path.join(results, '.write.new.tmp'), '{"half');
    await age('.write.old.tmp', 16 * 60_000);
    await age('.write.new.tmp', 14 * 60_000);
    expect(await sweeper.sweep()).toEqual({ deletedRecords: 0, deletedTempFiles: 1 });
    expect(await readdir(results)).toEqual(['.write.new.tmp']);
  });

  it('when a record is corrupt, then it is deleted only once its file is older than the TTL', async () => {
    const oldId = sampleRecord().request_id;
    const newId = sampleRecord().request_id;
    await writeFile(path.join(results, `${oldId}.json`), 'not json');
    await writeFile(path.join(results, `${newId}.json`), 'not json');
    await age(`${oldId}.json`, 25 * HOUR);
    await age(`${newId}.json`, 23 * HOUR);
    expect(await sweeper.sweep()).toEqual({ deletedRecords: 1, deletedTempFiles: 0 });
    expect(await readdir(results)).toEqual([`${newId}.json`]);
    expect(log.entries).toEqual([
      expect.objectContaining({ level: 'warn', message: 'deleting corrupt result record' }),
    ]);
  });

  it('when other files or directories are present, then it leaves them alone', async () => {
    const id = sampleRecord().request_id;
    await mkdir(path.join(results, `${id}.json`));
    await writeFile(path.join(results, 'README.txt'), 'keep');
    await age('README.txt', 48 * HOUR);
    expect(await sweeper.sweep()).toEqual({ deletedRecords: 0, deletedTempFiles: 0 });
    expect((await readdir(results)).sort()).toEqual([`${id}.json`, 'README.txt'].sort());
  });

  it('when the directory does not exist, then a sweep deletes nothing and does not throw', async () => {
    await rm(results, { recursive: true });
    expect(await sweeper.sweep()).toEqual({ deletedRecords: 0, deletedTempFiles: 0 });
  });

  it('when two sweeps are asked at once, then they share one run', async () => {
    await writeRecord(T0 - 1);
    const [a, b] = [sweeper.sweep(), sweeper.sweep()];
    expect(a).toBe(b);
    expect(await a).toEqual({ deletedRecords: 1, deletedTempFiles: 0 });
  });

  it('when closed during a sweep, then close waits for it to settle', async () => {
    for (let i = 0; i < 30; i += 1) await writeRecord(T0 - 1);
    let settled = false;
    const running = sweeper.sweep().finally(() => {
      settled = true;
    });
    await sweeper.close();
    expect(settled).toBe(true);
    await running;
  });

  it('when started, then it sweeps on an unref-ed timer until closed', async () => {
    const fast = new DirectorySweeper(
      { dir, ttlHours: 24, intervalSeconds: 0.02, now: clock.now },
      log.logger,
    );
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      fast.start();
      const timer = timers.mock.results[0]?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      const first = await writeRecord(T0 - 1);
      await waitUntil(async () => !(await readdir(results)).includes(first));
      await fast.close();
      const afterClose = await writeRecord(T0 - 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await readdir(results)).toContain(afterClose);
      expect(() => fast.start()).toThrow(/after close/);
    } finally {
      timers.mockRestore();
      await fast.close();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
