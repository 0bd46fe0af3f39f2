import { randomUUID } from 'node:crypto';
import path from 'node:path';

/**
 * On-disk layout shared by the store and its sweeper: `<dir>/results/<request_id>.json`,
 * mirroring the S3 key `<prefix>results/<request_id>.json`. Temp files sit in the same
 * directory (so rename is atomic) and start with a dot so they never look like records.
 */
export function resultsDir(dir: string): string {
  return path.join(dir, 'results');
}

/** `requestId` must already have passed `assertRequestId`. */
export function recordPath(dir: string, requestId: string): string {
  return path.join(resultsDir(dir), `${requestId}.json`);
}

export function tempPath(dir: string, stem: string): string {
  return path.join(resultsDir(dir), `.${stem}.${randomUUID()}.tmp`);
}

export function isTempFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/** The request id a record file is named after, or null for anything else. */
export function recordIdOf(name: string): string | null {
  return !name.startsWith('.') && name.endsWith('.json') ? name.slice(0, -'.json'.length) : null;
}
