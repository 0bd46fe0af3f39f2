import { performance } from 'node:perf_hooks';

import { RetryLaterError, SERVICE_KINDS, type ServiceKind } from '@openad-async/contracts';

/**
 * How long a pending count read from Redis is trusted, ms. Long enough that a busy replica
 * reads the count a few times a second instead of once per submit; short enough that other
 * replicas' submits in that time (the only ones this replica cannot see) stay a small overshoot.
 */
export const QUEUE_COUNT_REFRESH_MS = 100;

/** Seconds a client is told to wait after QUEUE_FULL (Retry-After). */
const RETRY_AFTER_SECONDS = 5;

export interface QueueCapOptions {
  /** Most pending requests a queue may hold (`OPENAD_ASYNC_MAX_QUEUE_SIZE`). */
  max: number;
  /** Reads a queue's pending count from Redis (every replica's submits, minus what left). */
  count(kind: ServiceKind): Promise<number>;
  /** How long a count is trusted, ms. @defaultValue QUEUE_COUNT_REFRESH_MS */
  refreshMs?: number;
  /** A monotonic clock, ms. @defaultValue performance.now */
  now?: () => number;
}

/** What this replica knows about one queue. */
interface Estimate {
  /** Pending count of the last read. */
  count: number;
  /** When that read was sent (so its age is never underestimated); -Infinity before any. */
  readAt: number;
  /**
   * Submits this replica accepted that the count may not include: those accepted since the
   * read was sent, and those whose enqueue was still in flight then (counted twice if the read
   * saw them: erring high only costs an earlier refresh).
   */
  since: number;
  /** Accepted submits whose enqueue has not settled yet. */
  inFlight: number;
  /** The read in flight, shared by every submit that needs it; its own `since` so far. */
  reading: { done: Promise<void>; since: number } | null;
}

/**
 * The queue cap (503 QUEUE_FULL at `max` pending requests) without a Redis round trip per
 * submit: each queue's last pending count, plus the submits this replica accepted since, is
 * trusted while the count is younger than `refreshMs` and the sum is below the cap. A stale
 * count, or an estimate at or over the cap, is read again first (one read shared by the
 * submits waiting for it), and the submit is decided on that fresh count plus this replica's
 * accepts since: so QUEUE_FULL is only ever answered on a count read after the submit arrived.
 *
 * The bound: the estimate never misses this replica's own submits and ignores requests that
 * left the queue (erring high), so the cap is overshot only by other replicas' submits within
 * one refresh interval (plus a read's round trip). The check-then-add this replaces was racy
 * too: concurrent submits on any replicas could all pass one count.
 */
export class QueueCap {
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly estimates: Record<ServiceKind, Estimate>;

  constructor(private readonly o: QueueCapOptions) {
    this.refreshMs = o.refreshMs ?? QUEUE_COUNT_REFRESH_MS;
    this.now = o.now ?? (() => performance.now());
    const fresh = (): Estimate => ({
      count: 0,
      readAt: -Infinity,
      since: 0,
      inFlight: 0,
      reading: null,
    });
    this.estimates = Object.fromEntries(SERVICE_KINDS.map((k) => [k, fresh()])) as Record<
      ServiceKind,
      Estimate
    >;
  }

  /**
   * Admits one submit to queue `kind` and runs `enqueue`, or throws QUEUE_FULL (503 +
   * Retry-After) without running it. A failed `enqueue` is taken back from the estimate (if
   * its job was queued all the same, as when only the counters after the add failed, the next
   * read counts it).
   */
  async enqueue<T>(kind: ServiceKind, enqueue: () => Promise<T>): Promise<T> {
    const e = this.estimates[kind];
    const trusted =
      e.reading === null &&
      this.now() - e.readAt < this.refreshMs &&
      e.count + e.since < this.o.max;
    if (!trusted) {
      await this.refresh(kind, e);
      if (e.count + e.since >= this.o.max) {
        throw new RetryLaterError(
          'QUEUE_FULL',
          'Queue is full, try again later',
          RETRY_AFTER_SECONDS,
          {
            queue: kind,
            max_queue_size: this.o.max,
          },
        );
      }
    }
    // No await between the decision and counting it, so concurrent submits see each other.
    e.since += 1;
    if (e.reading) e.reading.since += 1;
    e.inFlight += 1;
    try {
      return await enqueue();
    } catch (err) {
      // Still in flight, so counted in `since` and in any read in flight: take it back there.
      e.since -= 1;
      if (e.reading) e.reading.since -= 1;
      throw err;
    } finally {
      e.inFlight -= 1;
    }
  }

  /** Reads the count again, or joins the read in flight. A failed read changes nothing. */
  private refresh(kind: ServiceKind, e: Estimate): Promise<void> {
    if (e.reading) return e.reading.done;
    const sentAt = this.now();
    const reading = { done: Promise.resolve(), since: e.inFlight };
    reading.done = this.o
      .count(kind)
      .then((count) => {
        e.count = count;
        e.readAt = sentAt;
        e.since = reading.since;
      })
      .finally(() => {
        e.reading = null;
      });
    e.reading = reading;
    return reading.done;
  }
}
