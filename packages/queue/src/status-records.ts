import {
  formatSeconds,
  toIso,
  type InferenceJob,
  type Progress,
  type StatusRecord,
  type TerminalStatus,
} from '@openad-async/contracts';

type JobInfo = Pick<
  InferenceJob,
  'request_id' | 'created_at' | 'service_type' | 'service_name' | 'priority'
> & { owner?: string | null };

function base(job: JobInfo) {
  return {
    request_id: job.request_id,
    service_type: job.service_type,
    service_name: job.service_name,
    priority: job.priority,
    created_at: toIso(job.created_at),
    // Internal: lets the api answer only the submitting key; stripped by toWire().
    ...(job.owner ? { owner: job.owner } : {}),
  };
}

/** The status of a request still in BullMQ: pending, or processing since `startedAt`. */
export function liveRecord(
  job: JobInfo,
  live: { startedAt?: number; progress?: Progress },
  now: number,
): StatusRecord {
  const started = live.startedAt;
  return {
    ...base(job),
    status: started === undefined ? 'pending' : 'processing',
    ...(started === undefined
      ? {}
      : { started_at: toIso(started), processing_time: formatSeconds(now - started) }),
    elapsed_time: formatSeconds(now - job.created_at),
    ...(live.progress ? { progress: live.progress } : {}),
  };
}

/** A job's callback, carried into its terminal record so the delivery knows where to go. */
type CallbackInfo = { callback_url?: string | null };

/**
 * A terminal record; `expires_at` is left to the store, which owns the TTL. A job with a
 * callback gets `callback: pending`, which the webhook outbox picks up when the record is stored.
 */
export function terminalRecord(
  job: JobInfo & CallbackInfo,
  status: TerminalStatus,
  end: { startedAt?: number; completedAt: number; result?: unknown; error?: string },
): StatusRecord {
  const started = end.startedAt;
  return {
    ...base(job),
    status,
    ...(started === undefined
      ? {}
      : {
          started_at: toIso(started),
          processing_time: formatSeconds(end.completedAt - started),
        }),
    completed_at: toIso(end.completedAt),
    elapsed_time: formatSeconds(end.completedAt - job.created_at),
    ...(status === 'completed' ? { result: end.result } : {}),
    ...(status !== 'completed' && end.error !== undefined ? { error: end.error } : {}),
    ...(job.callback_url
      ? { callback: { url: job.callback_url, status: 'pending' as const, attempts: 0 } }
      : {}),
  };
}

/** The error text each terminal state carries when the caller gave none. */
export function defaultError(status: TerminalStatus): string {
  switch (status) {
    case 'completed':
      return '';
    case 'failed':
      return 'Request failed';
    case 'timeout':
      return 'Request timed out';
    case 'canceled':
      return 'Request was canceled';
  }
}
