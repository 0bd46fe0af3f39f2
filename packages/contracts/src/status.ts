import { z } from 'zod';

import { CallbackOutcome } from './callback';
import { PRIORITY_NAMES } from './priority';

export const REQUEST_STATUSES = [
  'pending',
  'processing',
  'completed',
  'failed',
  'timeout',
  'canceled',
] as const;
export const RequestStatus = z.enum(REQUEST_STATUSES);
export type RequestStatus = z.infer<typeof RequestStatus>;

export const TERMINAL_STATUSES = ['completed', 'failed', 'timeout', 'canceled'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export function isTerminal(s: RequestStatus): s is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(s);
}

export const RequestId = z.uuid({ error: 'must be a UUID' });

export const Progress = z.object({ done: z.number().int().min(0), total: z.number().int().min(0) });
export type Progress = z.infer<typeof Progress>;

/** The status object of one request, as `/async/status/:id` answers it and as the store keeps it. */
export const StatusRecord = z.object({
  request_id: RequestId,
  status: RequestStatus,
  service_type: z.string().optional(),
  service_name: z.string().optional(),
  priority: z.enum(PRIORITY_NAMES).optional(),
  created_at: z.iso.datetime(),
  started_at: z.iso.datetime().optional(),
  completed_at: z.iso.datetime().optional(),
  /** Seconds from submission to now (or to completion), formatted like "9.00s". */
  elapsed_time: z.string(),
  /** Seconds from start to now (or to completion), once started. */
  processing_time: z.string().optional(),
  progress: Progress.optional(),
  result: z.unknown().optional(),
  error: z.string().optional(),
  /** When a terminal record stops being readable; past it the request answers 404. */
  expires_at: z.iso.datetime().optional(),
  /** Delivery of the request's callback, when it named a `callback_url`. */
  callback: CallbackOutcome.optional(),
  /**
   * Internal, never on the wire: the owner tag of the submitting key (see InferenceJob.owner),
   * stored with the record so a terminal record stays private for its whole TTL. Absent when
   * the request was submitted without a key. `toWire()` strips it.
   */
  owner: z.string().optional(),
});
export type StatusRecord = z.infer<typeof StatusRecord>;

/** The status object as clients see it: a StatusRecord without its internal fields. */
export const StatusObject = StatusRecord.omit({ owner: true });
export type StatusObject = z.infer<typeof StatusObject>;

/** The one place a record becomes a wire status object; every route answering one uses it. */
export function toWire(record: StatusRecord): StatusObject {
  const { owner: _owner, ...wire } = record;
  return wire;
}

/**
 * Whether `owner` (the caller's tag, null when anonymous) may see `record`. A request is
 * visible only to the key that submitted it; records without an owner only to anonymous
 * callers, so turning keys on or off never exposes one party's requests to another.
 */
export function isOwnedBy(record: Pick<StatusRecord, 'owner'>, owner: string | null): boolean {
  return (record.owner ?? null) === owner;
}

export function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(2)}s`;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
