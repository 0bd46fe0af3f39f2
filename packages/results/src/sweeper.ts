import { readFile, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

import type { Logger } from '@openad-async/telemetry';

import { hasErrorCode } from './fs-errors';
import { recordIdOf, isTempFile, resultsDir } from './fs-layout';
import { decodeRecord, isExpired, ttlMs } from './record-codec';

/** A write takes milliseconds; a temp file this old was left by a crash mid-write. */
const STALE_TEMP_MS = 15 * 60_000;
/** setTimeout overflows beyond this and would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SweeperOptions {
  /** The store's base directory; records live in `<dir>/results`. */
  dir: string;
  /** Corrupt records are deleted once their file is older than this. */
  ttlHours: number;
  /** Pause between the end of one sweep and the start of the next. */
  intervalSeconds: number;
  /** Epoch ms, for record expiry. File ages (temp and corrupt files) use the real clock. */
  now: () => number;
}

export interface SweepResult {
  deletedRecords: number;
  deletedTempFiles: number;
}

/**
 * Deletes expired records and abandoned temp files from the directory store, on a timer that
 * never keeps the process alive. Sweeps never overlap; `close()` waits for the running one.
 */
export class DirectorySweeper {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<SweepResult> | null = null;
  private closed = false;

  constructor(
    private readonly options: SweeperOptions,
    private readonly logger: Logger,
  ) {}

  /** Sweeps soon (a restarted process should not wait a whole interval), then periodically. */
  start(): void {
    if (this.closed) throw new Error('DirectorySweeper.start() called after close()');
    if (this.timer === null) this.schedule(0);
  }

  /** One sweep now, or the one already running. */
  sweep(): Promise<SweepResult> {
    this.inFlight ??= this.sweepDirectory().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sweep()
        .then(
          (result) => this.logger.debug('result sweep done', { ...result }),
          (error: unknown) => this.logger.warn('result sweep failed', { error }),
        )
        .finally(() => this.schedule(Math.min(this.options.intervalSeconds * 1000, MAX_TIMER_MS)));
    }, delayMs);
    this.timer.unref();
  }

  private async sweepDirectory(): Promise<SweepResult> {
    const result: SweepResult = { deletedRecords: 0, deletedTempFiles: 0 };
    const dir = resultsDir(this.options.dir);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) return result;
      throw error;
    }
    for (const name of names) {
      // Shutdown should not wait for a large directory; the next process sweeps the rest.
      if (this.closed) break;
      const file = path.join(dir, name);
      if (isTempFile(name)) {
        if ((await this.olderThan(file, STALE_TEMP_MS)) && (await removeIfPresent(file))) {
          result.deletedTempFiles += 1;
        }
        continue;
      }
      const id = recordIdOf(name);
      if (id !== null && (await this.isExpiredRecord(file, id)) && (await removeIfPresent(file))) {
        result.deletedRecords += 1;
      }
    }
    return result;
  }

  private async isExpiredRecord(file: string, id: string): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'EISDIR')) return false;
      throw error;
    }
    const decoded = decodeRecord(text, id);
    if (decoded.ok) return isExpired(decoded.record, this.options.now());
    // A corrupt record has no readable expiry; its age stands in for one.
    const stale = await this.olderThan(file, ttlMs(this.options.ttlHours));
    if (stale) this.logger.warn('deleting corrupt result record', { file, reason: decoded.reason });
    return stale;
  }

  private async olderThan(file: string, ageMs: number): Promise<boolean> {
    try {
      return (await stat(file)).mtimeMs + ageMs <= Date.now();
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) return false;
      throw error;
    }
  }
}

async function removeIfPresent(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return false;
    throw error;
  }
}
