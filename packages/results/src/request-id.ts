import { RequestId } from '@openad-async/contracts';

/**
 * Returns the id when it is a UUID, else throws a TypeError. Every path and key is built from
 * an id that passed here, so a hostile id (`../etc/passwd`) never reaches the filesystem or S3.
 */
export function assertRequestId(id: unknown): string {
  const parsed = RequestId.safeParse(id);
  if (!parsed.success) {
    const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 100)) : typeof id;
    throw new TypeError(`Invalid request id ${shown}: must be a UUID`);
  }
  return parsed.data;
}
