import {
  ApiAuthError,
  ApiNetworkError,
  ApiRetryLaterError,
  OpenadApiError,
  RequestEndedError,
} from '../errors';
import { UsageError } from './cli-context';
import { InputError } from './input-parsing';

/**
 * Exit codes scripts can rely on. Documented in `openad-async --help` and the README; change
 * none of them without a major version.
 */
export const EXIT = {
  /** Everything asked for was done. */
  OK: 0,
  /** A bug or an unexpected answer. */
  INTERNAL: 1,
  /** Bad arguments or unreadable input; nothing was submitted. */
  USAGE: 2,
  /** The service rejected the request (validation, unknown id, already finished). */
  REJECTED: 3,
  /** Missing or wrong API key. */
  AUTH: 4,
  /** The service could not be reached or stayed unavailable. */
  UNAVAILABLE: 5,
  /** The request ended failed, timeout or canceled. */
  NOT_COMPLETED: 6,
  /** Output written, but some rows carry an error (bad subjects or failed requests). */
  PARTIAL: 7,
  /** Interrupted (Ctrl-C); what this run submitted and had not finished was canceled. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for an error that ended a command. */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof UsageError || err instanceof InputError) return EXIT.USAGE;
  if (err instanceof ApiAuthError) return EXIT.AUTH;
  if (err instanceof RequestEndedError) return EXIT.NOT_COMPLETED;
  if (err instanceof ApiNetworkError || err instanceof ApiRetryLaterError) return EXIT.UNAVAILABLE;
  if (err instanceof OpenadApiError) {
    if (err.status >= 500) return EXIT.UNAVAILABLE;
    if (err.status >= 400) return EXIT.REJECTED;
  }
  return EXIT.INTERNAL;
}
