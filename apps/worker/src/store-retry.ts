import type { Logger } from '@openad-async/telemetry';

export interface RetryOptions {
  /** First delay. @defaultValue 100 */
  initialDelayMs?: number;
  /** Longest delay between tries. @defaultValue 5000 */
  maxDelayMs?: number;
  logger: Logger;
  /** Log context (request_id, …). */
  context: Record<string, unknown>;
  /** What is retried, for the log. @defaultValue 'result store write' */
  what?: string;
}

/**
 * Retries until the operation succeeds. A record that cannot be stored must not be reported
 * done: the job stays active (its lock renewed by BullMQ), and if this process dies first the
 * job stalls and another worker runs it again. So there is no give-up here on purpose.
 */
export async function retryForever<T>(operation: () => Promise<T>, o: RetryOptions): Promise<T> {
  let delay = o.initialDelayMs ?? 100;
  const max = o.maxDelayMs ?? 5000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (err) {
      o.logger.warn(`${o.what ?? 'result store write'} failed, retrying`, {
        ...o.context,
        attempt,
        delay_ms: delay,
        err,
      });
      // Full jitter, so many workers recovering at once do not hammer the store together.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.round(delay / 2 + (Math.random() * delay) / 2)),
      );
      delay = Math.min(max, delay * 2);
    }
  }
}
