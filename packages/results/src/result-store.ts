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
  /** The record, or null when absent or expired. Throws only when the backend fails. */
  get(requestId: string): Promise<StatusRecord | null>;
  /** Throws when the backend is unreachable (readiness). */
  ping(): Promise<void>;
  /** Stops the sweeper and releases clients. */
  close(): Promise<void>;
}
