import type { z } from 'zod';

/** Machine codes a client can switch on; the wire carries them in `detail.code`. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ALREADY_FINISHED',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'QUEUE_FULL',
  'UNAVAILABLE',
  'SYNC_WAIT_EXCEEDED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One validation problem, in the FastAPI shape OpenAD clients already print. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
}

/** The base of every error that may reach a client: a code, an HTTP status, safe context. */
export class OpenadError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends OpenadError {
  constructor(readonly issues: ValidationIssue[]) {
    super('VALIDATION_FAILED', 422, issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; '));
  }

  static fromZod(error: z.ZodError, loc: (string | number)[] = ['body']): ValidationError {
    return new ValidationError(
      error.issues.map((issue) => ({
        type: issue.code,
        loc: [...loc, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
        msg: issue.message,
        ...('input' in issue && issue.input !== undefined
          ? { input: truncateInput(issue.input) }
          : {}),
      })),
    );
  }

  static single(loc: (string | number)[], msg: string, input?: unknown): ValidationError {
    return new ValidationError([{ type: 'value_error', loc, msg, input: truncateInput(input) }]);
  }
}

export class BadRequestError extends OpenadError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('BAD_REQUEST', 400, message, context);
  }
}

export class NotFoundError extends OpenadError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('NOT_FOUND', 404, message, context);
  }
}

export class ConflictError extends OpenadError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('ALREADY_FINISHED', 409, message, context);
  }
}

/** 503 or 429 with a Retry-After: the caller may try again later. */
export class RetryLaterError extends OpenadError {
  constructor(
    code: 'QUEUE_FULL' | 'UNAVAILABLE' | 'RATE_LIMITED',
    message: string,
    readonly retryAfterSeconds: number,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, code === 'RATE_LIMITED' ? 429 : 503, message, context, options);
  }
}

export class AuthError extends OpenadError {
  constructor(code: 'UNAUTHORIZED' | 'FORBIDDEN', message: string) {
    super(code, code === 'UNAUTHORIZED' ? 401 : 403, message);
  }
}

/** Echoing user input back helps, unless it is a megabyte: keep it short. */
function truncateInput(input: unknown): unknown {
  if (typeof input === 'string' && input.length > 200) return `${input.slice(0, 200)}…`;
  if (Array.isArray(input) && input.length > 20) return `[array of ${input.length}]`;
  if (input !== null && typeof input === 'object') {
    const json = JSON.stringify(input);
    if (json !== undefined && json.length > 500) return '[object]';
  }
  return input;
}
