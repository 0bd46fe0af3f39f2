import { StatusRecord, toIso } from '@openad-async/contracts';

import { assertRequestId } from './request-id';

const HOUR_MS = 3_600_000;

/**
 * Validates a record before it is written (a record the store could not read back would
 * silently vanish) and sets `expires_at` to now + TTL when the caller left it out.
 */
export function prepareForPut(record: StatusRecord, nowMs: number, ttlHours: number): StatusRecord {
  assertRequestId(record.request_id);
  const parsed = StatusRecord.safeParse(record);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new TypeError(
      `Invalid status record for request ${record.request_id}: ${problems.join('; ')}`,
    );
  }
  return {
    ...parsed.data,
    expires_at: parsed.data.expires_at ?? toIso(nowMs + ttlHours * HOUR_MS),
  };
}

/** The exact bytes stored; tests compare raw objects against it. */
export function encodeRecord(record: StatusRecord): string {
  return JSON.stringify(record);
}

export type DecodeResult = { ok: true; record: StatusRecord } | { ok: false; reason: string };

/** Parses stored text; a record filed under another id counts as corrupt. */
export function decodeRecord(text: string, requestId: string): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const parsed = StatusRecord.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `not a status record: ${parsed.error.issues[0]?.message ?? ''}` };
  }
  if (parsed.data.request_id !== requestId) {
    return { ok: false, reason: `holds request ${parsed.data.request_id}` };
  }
  return { ok: true, record: parsed.data };
}

/** A record without `expires_at` predates TTLs or was written by hand; it never expires. */
export function isExpired(record: StatusRecord, nowMs: number): boolean {
  return record.expires_at !== undefined && Date.parse(record.expires_at) <= nowMs;
}

export function ttlMs(ttlHours: number): number {
  return ttlHours * HOUR_MS;
}
