import type {
  PriorityName,
  Progress,
  ProgressEvent,
  ServiceStats,
  StatusObject,
  WorkServiceType,
} from '@openad-async/contracts';

/** What every submission may carry besides its work. */
export interface SubmitOptions {
  /** Queue priority. @defaultValue the service's default (normal unless configured) */
  priority?: PriorityName;
  /** Seconds from submission after which the request ends `timeout`. @defaultValue the service's default */
  timeoutSeconds?: number;
  /**
   * Where the service POSTs the status object once the request ends, signed with this key's
   * secret (verify with `verifyWebhook`). http(s), public addresses only unless the service
   * allows private ones. @defaultValue none
   */
  callbackUrl?: string;
  /** Model parameters, validated by the service against the model's schema. @defaultValue {} */
  parameters?: Record<string, unknown>;
  signal?: AbortSignal;
}

/** A property prediction: every `properties` name for every subject. */
export interface PropertySubmission extends SubmitOptions {
  /** `service_name` as `GET /service` lists it, e.g. 'get molecule rdkit'. */
  service: string;
  properties: string[];
  subjects: unknown[];
  /**
   * The service's `service_type`. @defaultValue looked up in the service definitions (one
   * `GET /service`, cached by the client)
   */
  serviceType?: Exclude<WorkServiceType, 'generate_data'>;
}

/** A generation request. */
export interface GenerationSubmission extends SubmitOptions {
  /** `service_name`, e.g. 'generate with GraphGA'. */
  service: string;
  /** How many items to generate. @defaultValue the model's default */
  sampleSize?: number;
  /** Generation targets (conditions), sent as `parameters.subjects`. @defaultValue [] */
  targets?: unknown[];
}

/** One row of a property result: property-major, `result: null` + `error` for a bad subject. */
export interface PropertyRow {
  subject: unknown;
  property: string;
  result: unknown;
  error?: string;
}

/** `GET /async/stats`. */
export interface StatsResponse {
  property_service: ServiceStats;
  generation_service: ServiceStats;
  /** The effective configuration, secrets removed. */
  config: Record<string, unknown>;
}

export interface CancelResult {
  request_id: string;
  /** `canceled`: ended now; `cancel_requested`: being stopped on its worker (HTTP 202). */
  outcome: 'canceled' | 'cancel_requested';
  message: string;
}

/** One event of a request's live status stream. */
export type StatusStreamEvent =
  | { type: 'status'; id: string | undefined; record: StatusObject }
  | { type: 'progress'; id: string | undefined; request_id: string; progress: Progress };

/** How `wait` waits; an abort of `signal` rejects with the signal's reason. */
export interface WaitOptions {
  signal?: AbortSignal;
  /** Give up with a `WaitTimeoutError` after this long. @defaultValue no limit */
  timeoutMs?: number;
  /** Called on every state change and progress update seen while waiting. */
  onUpdate?: (update: StatusStreamEvent) => void;
  /**
   * 'sse' streams events, 'poll' reads the status with backoff, 'auto' streams and falls back
   * to polling when the service has no event stream or it breaks.
   * @defaultValue 'auto'
   */
  mode?: 'auto' | 'sse' | 'poll';
  /** First poll delay. @defaultValue 250 */
  pollInitialMs?: number;
  /** Longest poll delay. @defaultValue 5000 */
  pollMaxMs?: number;
}

export type { ProgressEvent, StatusObject };
