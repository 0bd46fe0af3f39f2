import type { StatusRecord } from '@openad-async/contracts';

export interface RecordCacheOptions {
  /** Budget for the cached records, measured as their JSON length. 0 disables the cache. */
  maxBytes: number;
  /** Clock in epoch ms, for tests. @defaultValue Date.now */
  now?: () => number;
}

interface Entry {
  record: StatusRecord;
  bytes: number;
  /** Epoch ms; Infinity for a record without `expires_at`. */
  expiresAt: number;
}

/**
 * Terminal records recently read or written by this process, least recently used evicted
 * first. Safe without invalidation because a stored record never changes once its callback
 * (if any) is settled: only the winner of the terminal claim writes it, and afterwards only
 * the webhook delivery rewrites it, while `callback.status` is `pending` (such records are not
 * kept). It only has to stop answering when the record expires, which it checks on every hit. Clients poll a finished request more than once (status, then
 * get_result, SSE, retries), and each hit saves the Redis lookup and the store read.
 */
export class RecordCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private bytes = 0;

  constructor(private readonly o: RecordCacheOptions) {
    if (!Number.isFinite(o.maxBytes) || o.maxBytes < 0) {
      throw new RangeError(`RecordCache: maxBytes must be a finite number ≥ 0, got ${o.maxBytes}`);
    }
    this.now = o.now ?? Date.now;
  }

  get(id: string): StatusRecord | null {
    const entry = this.entries.get(id);
    if (!entry) return null;
    this.entries.delete(id);
    if (entry.expiresAt <= this.now()) {
      this.bytes -= entry.bytes;
      return null;
    }
    // Re-inserting moves it to the end of the Map's order: the most recently used.
    this.entries.set(id, entry);
    return entry.record;
  }

  set(record: StatusRecord): void {
    if (this.o.maxBytes === 0 || record.callback?.status === 'pending') return;
    const bytes = JSON.stringify(record).length;
    // One huge result must not flush everything else out.
    if (bytes > this.o.maxBytes / 8) return;
    const expiresAt = record.expires_at === undefined ? Infinity : Date.parse(record.expires_at);
    if (expiresAt <= this.now()) return;
    this.delete(record.request_id);
    this.entries.set(record.request_id, { record, bytes, expiresAt });
    this.bytes += bytes;
    for (const [id] of this.entries) {
      if (this.bytes <= this.o.maxBytes) break;
      this.delete(id);
    }
  }

  /** Entries and their bytes, for tests and stats. */
  size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private delete(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
  }
}
