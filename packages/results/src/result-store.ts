import type { StatusRecord } from '@openad-async/contracts';

/**
 * Where terminal records live. Each record is the whole status object, keyed by request id.
 * Implementations enforce `expires_at` on read: past it, a record is gone whatever the
 * backing store still holds.
 */
export interface ResultStore {
  readonly kind: 'fs' | 's3';
  /** Prepares the backend (directory, bucket lifecycle rule) and starts any sweeper. */
  start(): Promise<void>;
  /** Writes a terminal record, setting `expires_at` (now + TTL) when absent; returns what was stored. */
  put(record: StatusRecord): Promise<StatusRecord>;
  /**
   * Optional two-phase put: makes the record durable without making it visible, so a writer can
   * do the slow part while it still waits to learn whether the record is its to write (the
   * terminal claim). A store without it is written through `put`.
   */
  stage?(record: StatusRecord): Promise<StagedRecord>;
  /** The record, or null when absent or expired. Throws only when the backend fails. */
  get(requestId: string): Promise<StatusRecord | null>;
  /** Throws when the backend is unreachable (readiness). */
  ping(): Promise<void>;
  /** Stops the sweeper and releases clients. */
  close(): Promise<void>;
}

/** A record written but not yet readable; exactly one of `commit` or `discard` is called. */
export interface StagedRecord {
  /** What `commit` will store (`expires_at` already set). */
  readonly record: StatusRecord;
  /** Makes the record readable, as `put` would have; on failure nothing is left behind. */
  commit(): Promise<StatusRecord>;
  /** Drops the staged bytes; never throws. */
  discard(): Promise<void>;
}
