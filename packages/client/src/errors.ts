import type { ErrorCode, StatusObject, ValidationIssue } from '@openad-async/contracts';

/** Codes the client adds for failures that never reached (or never came back from) the API. */
export type ClientErrorCode =
  ErrorCode | 'NETWORK' | 'BAD_RESPONSE' | 'WAIT_TIMEOUT' | 'REQUEST_NOT_COMPLETED';

/**
 * An error from the service or on the way to it. `code` is the API's machine code
 * (`detail.code`) when the API answered, else one of the client's own codes.
 */
export class OpenadApiError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    /** HTTP status; 0 when no answer arrived. */
    readonly status: number,
    message: string,
    /** The API's `detail`, as sent. */
    readonly detail: unknown = undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** 422: the request named a field wrongly; `issues` say which (`loc`) and why (`msg`). */
export class ApiValidationError extends OpenadApiError {
  constructor(readonly issues: ValidationIssue[]) {
    super(
      'VALIDATION_FAILED',
      422,
      issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; ') || 'Validation failed',
      issues,
    );
  }
}

/** 404: unknown or expired request (or route). */
export class ApiNotFoundError extends OpenadApiError {}

/** 409: the request already finished, so it cannot be canceled. */
export class ApiConflictError extends OpenadApiError {}

/** 401/403: a missing, wrong or insufficient API key. */
export class ApiAuthError extends OpenadApiError {}

/** 429/503: the service asks to be called again after `retryAfterSeconds`. */
export class ApiRetryLaterError extends OpenadApiError {
  constructor(
    code: ClientErrorCode,
    status: number,
    message: string,
    readonly retryAfterSeconds: number,
    detail?: unknown,
  ) {
    super(code, status, message, detail);
  }
}

/** No answer: connection refused, DNS, reset, or a per-call timeout. */
export class ApiNetworkError extends OpenadApiError {
  constructor(message: string, cause: unknown) {
    super('NETWORK', 0, message, undefined, { cause });
  }
}

/** `wait` ran out of its `timeoutMs`; the request itself goes on. */
export class WaitTimeoutError extends OpenadApiError {
  constructor(
    readonly requestId: string,
    readonly waitedMs: number,
  ) {
    super('WAIT_TIMEOUT', 0, `Request ${requestId} still running after waiting ${waitedMs} ms`);
  }
}

/** The request ended failed, timeout or canceled; `record` is its terminal status object. */
export class RequestEndedError extends OpenadApiError {
  constructor(readonly record: StatusObject) {
    super(
      'REQUEST_NOT_COMPLETED',
      0,
      `Request ${record.request_id} ended ${record.status}${record.error ? `: ${record.error}` : ''}`,
    );
  }
}

/**
 * Every code the API sends. A record keyed by the contracts' `ErrorCode` (a type-only import,
 * so the client keeps no runtime dependency): a code added there breaks this build until it is
 * listed here too.
 */
const KNOWN_CODES: Readonly<Record<ErrorCode, true>> = {
  VALIDATION_FAILED: true,
  BAD_REQUEST: true,
  UNAUTHORIZED: true,
  FORBIDDEN: true,
  NOT_FOUND: true,
  ALREADY_FINISHED: true,
  PAYLOAD_TOO_LARGE: true,
  RATE_LIMITED: true,
  QUEUE_FULL: true,
  UNAVAILABLE: true,
  SYNC_WAIT_EXCEEDED: true,
  INTERNAL: true,
};

/**
 * Turns an error answer into the matching class. The API always answers `{"detail": …}`:
 * a list of issues for 422, else `{error, code, …context}`; anything else (a proxy's HTML
 * page) still gives a readable error with a code guessed from the status.
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  retryAfterHeader: string | null,
): OpenadApiError {
  const detail = isObject(body) && 'detail' in body ? body.detail : undefined;
  if (status === 422 && Array.isArray(detail)) {
    return new ApiValidationError(detail.filter(isIssue));
  }
  const given = isObject(detail) && typeof detail.code === 'string' ? detail.code : undefined;
  const code: ClientErrorCode =
    given !== undefined && Object.hasOwn(KNOWN_CODES, given)
      ? (given as ErrorCode)
      : codeOf(status);
  const message =
    isObject(detail) && typeof detail.error === 'string'
      ? detail.error
      : typeof detail === 'string'
        ? detail
        : `HTTP ${status}`;
  switch (code) {
    case 'NOT_FOUND':
      return new ApiNotFoundError(code, status, message, detail);
    case 'ALREADY_FINISHED':
      return new ApiConflictError(code, status, message, detail);
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return new ApiAuthError(code, status, message, detail);
    case 'QUEUE_FULL':
    case 'UNAVAILABLE':
    case 'RATE_LIMITED':
      return new ApiRetryLaterError(code, status, message, retryAfter(retryAfterHeader), detail);
    default:
      return new OpenadApiError(code, status, message, detail);
  }
}

function codeOf(status: number): ClientErrorCode {
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'ALREADY_FINISHED';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 422) return 'VALIDATION_FAILED';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  if (status >= 500) return 'INTERNAL';
  return 'BAD_RESPONSE';
}

/** Seconds from a Retry-After header (seconds or an HTTP date); 1 when absent or unreadable. */
function retryAfter(header: string | null): number {
  if (header === null) return 1;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1 : Math.max(0, (at - Date.now()) / 1000);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isIssue(v: unknown): v is ValidationIssue {
  return isObject(v) && Array.isArray(v.loc) && typeof v.msg === 'string';
}
