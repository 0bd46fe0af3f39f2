import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { SERVICE_KINDS, type ServiceKind } from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';

import type { JobQueues } from './job-queues';
import { closeRedis, createRedis } from './redis-connection';

/** One entry of a queue's BullMQ event stream that concerns one job. */
export interface JobEvent {
  /** Stream id, `<ms>-<seq>`: increasing within the queue's stream. */
  id: string;
  /** BullMQ event name: added, waiting, active, progress, completed, failed, removed, … */
  name: string;
  jobId: string;
  /** `progress` events: the value the worker reported. */
  data?: unknown;
}

export type JobEventListener = (event: JobEvent) => void;

/** Event names that change or report a job's state; others (drained, cleaned, …) are not relayed. */
export const JOB_EVENT_NAMES = [
  'added',
  'waiting',
  'delayed',
  'waiting-children',
  'active',
  'progress',
  'stalled',
  'completed',
  'failed',
  'removed',
] as const;

export interface StatusEventHubOptions {
  redisUrl: string;
  queues: JobQueues;
  /** Fail-fast connection for the stream reads (XRANGE); not closed by the hub. */
  redis: Redis;
  logger: Logger;
}

/**
 * Relays the BullMQ event streams of both queues to per-job listeners in this process: one
 * QueueEvents (one blocking connection) per queue however many clients listen. Because the
 * stream lives in Redis, a listener here sees what any worker did to a job submitted through
 * any api replica. The readers open at the first subscribe, so an api nobody streams from
 * reads no events at all, and stay open until close() (shutdown). Owned by the api server.
 */
export class StatusEventHub {
  private readonly readers = new Map<ServiceKind, { events: QueueEvents; connection: Redis }>();
  private readonly listeners = new Map<string, Set<JobEventListener>>();
  private readonly closers = new Set<() => void>();
  /** The readers being opened (or open); null before the first subscribe or after a failure. */
  private opening: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly o: StatusEventHubOptions) {}

  /**
   * Calls `listener` for every event of job `jobId` from now on: resolves once the readers
   * are started, from a stream position read before it resolves, so the caller can read the
   * position, then the state, and miss nothing in between. `onClose` runs if the hub closes
   * first (shutdown; at once if it has closed already), so open streams can end. Resolves to
   * the unsubscribe function; rejects (subscribing nothing) if the readers cannot be opened.
   */
  async subscribe(
    jobId: string,
    listener: JobEventListener,
    onClose?: () => void,
  ): Promise<() => void> {
    if (this.closed) {
      onClose?.();
      return () => undefined;
    }
    const set = this.listeners.get(jobId) ?? new Set<JobEventListener>();
    set.add(listener);
    this.listeners.set(jobId, set);
    if (onClose) this.closers.add(onClose);
    const unsubscribe = () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(jobId) === set) this.listeners.delete(jobId);
      if (onClose) this.closers.delete(onClose);
    };
    try {
      await this.open();
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  /** Opens the readers once; a failed attempt is forgotten so the next subscribe retries. */
  private open(): Promise<void> {
    this.opening ??= this.openReaders().catch((err: unknown) => {
      this.opening = null;
      throw err;
    });
    return this.opening;
  }

  private async openReaders(): Promise<void> {
    for (const kind of SERVICE_KINDS) {
      // Kinds opened by an attempt that failed later stay open: opened once, never twice.
      if (this.readers.has(kind)) continue;
      // Start from the stream's current end, read now: '$' would only mean "after the first
      // XREAD", and events between this start and that read would be lost.
      const lastEventId = await this.latestEventId(kind);
      if (this.closed) return;
      const connection = createRedis({
        url: this.o.redisUrl,
        mode: 'blocking',
        name: `openad-events-${kind}`,
      });
      connection.on('error', (err) => this.o.logger.warn('event stream connection error', { err }));
      const events = new QueueEvents(kind, {
        connection,
        prefix: this.prefixOf(kind),
        lastEventId,
      });
      events.on('error', (err) => this.o.logger.warn('event stream error', { queue: kind, err }));
      for (const name of JOB_EVENT_NAMES) {
        events.on(name, (args: { jobId: string; data?: unknown }, id: string) => {
          this.dispatch({ id, name, jobId: args.jobId, data: args.data });
        });
      }
      this.readers.set(kind, { events, connection });
    }
  }

  /** Id of the newest entry of a queue's event stream; '0-0' when it is empty. */
  async latestEventId(kind: ServiceKind): Promise<string> {
    const last = await this.o.redis.xrevrange(this.eventsKey(kind), '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  /**
   * The events of `jobId` with ids in (`after`, `upTo`], oldest first, read back from the
   * stream. `complete` is false when the stream was trimmed past `after` (BullMQ keeps about
   * the newest 10,000 events per queue), so some may be missing.
   */
  async history(
    kind: ServiceKind,
    jobId: string,
    after: string,
    upTo: string,
  ): Promise<{ events: JobEvent[]; complete: boolean }> {
    const key = this.eventsKey(kind);
    const oldest = (await this.o.redis.xrange(key, '-', '+', 'COUNT', 1))[0]?.[0];
    const complete = oldest === undefined || compareStreamIds(oldest, after) <= 0;
    const events: JobEvent[] = [];
    let from = `(${after}`;
    // Pages, so a long stream is never read in one reply; bounded by the stream's length.
    for (;;) {
      const page = await this.o.redis.xrange(key, from, upTo, 'COUNT', 1000);
      for (const [id, fields] of page) {
        const entry = fieldsOf(fields);
        if (entry.jobId !== jobId || !isJobEventName(entry.event)) continue;
        let data: unknown;
        if (entry.event === 'progress' && entry.data !== undefined) {
          try {
            data = JSON.parse(entry.data);
          } catch {
            data = undefined;
          }
        }
        events.push({ id, name: entry.event, jobId, ...(data === undefined ? {} : { data }) });
      }
      const last = page.at(-1)?.[0];
      if (page.length < 1000 || last === undefined) return { events, complete };
      from = `(${last}`;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const close of [...this.closers]) close();
    this.closers.clear();
    this.listeners.clear();
    // Readers still being opened must be in the map before it is emptied.
    await this.opening?.catch(() => undefined);
    for (const { events, connection } of this.readers.values()) {
      await events.close().catch(() => undefined);
      await closeRedis(connection);
    }
    this.readers.clear();
  }

  private dispatch(event: JobEvent): void {
    for (const listener of [...(this.listeners.get(event.jobId) ?? [])]) {
      try {
        listener(event);
      } catch (err) {
        this.o.logger.warn('status event listener failed', { request_id: event.jobId, err });
      }
    }
  }

  private eventsKey(kind: ServiceKind): string {
    // BullMQ's key for a queue's event stream.
    return this.o.queues.queues[kind].keys.events ?? `${this.prefixOf(kind)}:${kind}:events`;
  }

  private prefixOf(kind: ServiceKind): string {
    return this.o.queues.queues[kind].opts.prefix ?? 'bull';
  }
}

/** Orders two stream ids (`<ms>-<seq>`): negative, zero or positive. */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

/** A syntactically valid stream id, so a client's Last-Event-ID never reaches Redis unchecked. */
export function isStreamId(value: string): boolean {
  return /^\d{1,20}-\d{1,20}$/.test(value);
}

function isJobEventName(name: string | undefined): name is (typeof JOB_EVENT_NAMES)[number] {
  return name !== undefined && (JOB_EVENT_NAMES as readonly string[]).includes(name);
}

function fieldsOf(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i] ?? ''] = fields[i + 1] ?? '';
  return out;
}
