import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';

import type { StatusRecord } from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';

import { hasErrorCode } from './fs-errors';
import { recordPath, resultsDir, tempPath } from './fs-layout';
import { positiveOption } from './option-checks';
import { decodeRecord, encodeRecord, isExpired, prepareForPut } from './record-codec';
import { assertRequestId } from './request-id';
import type { ResultStore, StagedRecord } from './result-store';
import { DirectorySweeper, type SweepResult } from './sweeper';

export interface FsResultStoreOptions {
  /** Hours a record stays readable after it is stored. @defaultValue 24 */
  ttlHours?: number;
  /** Base directory; records are written to `<dir>/results/<request_id>.json`. @defaultValue '/tmp/openad_async_results' */
  dir?: string;
  /** Seconds between sweeps of expired records. @defaultValue 3600 */
  cleanupIntervalSeconds?: number;
  /** Clock in epoch ms, for tests. @defaultValue Date.now */
  now?: () => number;
}

/**
 * Records as JSON files in a local (or shared) directory. Writes are atomic (temp file +
 * rename in the same directory), so a reader sees the old record or the new one, never half.
 */
export class FsResultStore implements ResultStore {
  readonly kind = 'fs' as const;
  readonly dir: string;
  private readonly ttlHours: number;
  private readonly now: () => number;
  private readonly sweeper: DirectorySweeper;
  private readonly logger: Logger;

  constructor(options: FsResultStoreOptions, logger: Logger) {
    this.ttlHours = positiveOption(options.ttlHours ?? 24, 'FsResultStore', 'ttlHours');
    this.dir = options.dir ?? '/tmp/openad_async_results';
    this.now = options.now ?? Date.now;
    this.logger = logger.child({ component: 'result-store', store: 'fs' });
    this.sweeper = new DirectorySweeper(
      {
        dir: this.dir,
        ttlHours: this.ttlHours,
        intervalSeconds: positiveOption(
          options.cleanupIntervalSeconds ?? 3600,
          'FsResultStore',
          'cleanupIntervalSeconds',
        ),
        now: this.now,
      },
      this.logger,
    );
  }

  async start(): Promise<void> {
    await mkdir(resultsDir(this.dir), { recursive: true });
    this.sweeper.start();
  }

  async put(record: StatusRecord): Promise<StatusRecord> {
    return (await this.stage(record)).commit();
  }

  /**
   * The temp file is written and fsynced here; `commit` is the rename alone. Until then the
   * bytes sit under a dot name readers and the sweeper's record pass never take for a record
   * (the sweeper deletes temp files after 15 minutes, and `commit` then fails cleanly).
   */
  async stage(record: StatusRecord): Promise<StagedRecord> {
    const stored = prepareForPut(record, this.now(), this.ttlHours);
    const target = recordPath(this.dir, stored.request_id);
    const temp = await this.writeDurably(encodeRecord(stored));
    let settled = false;
    return {
      record: stored,
      commit: async () => {
        if (settled) throw new Error(`staged record ${stored.request_id} was already settled`);
        settled = true;
        try {
          await rename(temp, target);
        } catch (error) {
          await unlink(temp).catch(() => undefined);
          throw error;
        }
        return stored;
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await unlink(temp).catch(() => undefined);
      },
    };
  }

  async get(requestId: string): Promise<StatusRecord | null> {
    const id = assertRequestId(requestId);
    const file = recordPath(this.dir, id);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) return null;
      throw error;
    }
    const decoded = decodeRecord(text, id);
    if (!decoded.ok) {
      this.logger.warn('ignoring corrupt result record', {
        request_id: id,
        reason: decoded.reason,
      });
      return null;
    }
    return isExpired(decoded.record, this.now()) ? null : decoded.record;
  }

  /** Creates and removes a probe file: existence alone does not prove the directory is writable. */
  async ping(): Promise<void> {
    const probe = tempPath(this.dir, 'ping');
    await (await open(probe, 'wx')).close();
    await unlink(probe);
  }

  /** One sweep now (or the running one); the timer started by `start()` calls the same. */
  sweep(): Promise<SweepResult> {
    return this.sweeper.sweep();
  }

  async close(): Promise<void> {
    await this.sweeper.close();
  }

  /** Writes `text` to a new temp file and fsyncs it; returns the temp path. */
  private async writeDurably(text: string): Promise<string> {
    const temp = tempPath(this.dir, 'write');
    let written = false;
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(text, 'utf8');
        // Without fsync, a crash after rename can leave an empty file under the final name.
        await handle.sync();
      } finally {
        await handle.close();
      }
      written = true;
      return temp;
    } finally {
      if (!written) await unlink(temp).catch(() => undefined);
    }
  }
}
