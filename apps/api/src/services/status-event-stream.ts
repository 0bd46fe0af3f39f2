import {
  formatSeconds,
  isTerminal,
  kindOf,
  toIso,
  type ProgressEvent,
  type RequestStatus,
  type StatusEventName,
  type StatusRecord,
  type WorkServiceType,
} from '@openad-async/contracts';
import {
  compareStreamIds,
  isStreamId,
  type JobEvent,
  type StatusEventHub,
} from '@openad-async/queue';
import type { Logger } from '@openad-async/telemetry';

/** Where the stream's events go (the HTTP response, in the route). */
export interface StatusEventSink {
  send(event: { name: StatusEventName; id: string; data: unknown }): void;
  /** A comment line: keeps proxies from closing an idle stream. */
  heartbeat(): void;
  end(): void;
}

export interface StatusEventStreamOptions {
  hub: StatusEventHub;
  /** The tracker's read: the truth about a request. */
  read(id: string): Promise<StatusRecord | null>;
  /** The record as the wire shows it (internal fields removed). */
  present(record: StatusRecord): unknown;
  logger: Logger;
  /** Comment line period. @defaultValue 15000 */
  heartbeatMs?: number;
  /**
   * Re-read period, a safety net for events the stream did not deliver (a Redis reconnect,
   * a request ended without a BullMQ event). @defaultValue 5000
   */
  recheckMs?: number;
}

const PENDING_EVENTS = ['added', 'waiting', 'delayed', 'waiting-children'];
const END_EVENTS = ['completed', 'failed', 'removed'];

/**
 * Streams one request's state changes and progress to `sink` until its terminal event:
 * first the current state (or, after `Last-Event-ID`, the events missed since), then each
 * change as it happens, read back from the tracker so states never go backwards or repeat.
 * Resolves when the stream ends (terminal sent, `signal` aborted, or the hub closing).
 */
export async function streamStatusEvents(
  o: StatusEventStreamOptions,
  first: StatusRecord,
  request: { lastEventId?: string; signal: AbortSignal },
  sink: StatusEventSink,
): Promise<void> {
  const id = first.request_id;
  const log = o.logger.child({ request_id: id });
  if (first.service_type === undefined) {
    // Only records of unreadable jobs lack a service (so a queue): they are terminal already.
    sink.send({ name: 'status', id: '0-0', data: o.present(first) });
    sink.end();
    return;
  }
  const kind = kindOf(first.service_type as WorkServiceType);
  let lastId = '0-0';
  let lastStatus: RequestStatus | null = null;
  let lastProgress = '';
  let ended = false;
  let queue: Promise<void> = Promise.resolve();
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const stop = () => {
    if (ended) return;
    ended = true;
    sink.end();
    finish();
  };
  const emitStatus = (record: StatusRecord, eventId: string) => {
    if (ended || record.status === lastStatus) return;
    lastStatus = record.status;
    lastId = maxId(lastId, eventId);
    sink.send({ name: 'status', id: lastId, data: o.present(record) });
    if (isTerminal(record.status)) stop();
  };
  const emitProgress = (progress: unknown, eventId: string) => {
    if (ended || !isProgress(progress) || lastStatus !== 'processing') return;
    const key = `${progress.done}/${progress.total}`;
    if (key === lastProgress) return;
    lastProgress = key;
    lastId = maxId(lastId, eventId);
    const data: ProgressEvent = { request_id: id, progress };
    sink.send({ name: 'progress', id: lastId, data });
  };

  /** A live event: what it changed, as the tracker now tells it. */
  const onLive = async (event: JobEvent) => {
    if (ended || compareStreamIds(event.id, lastId) <= 0) return;
    if (event.name === 'progress') return emitProgress(event.data, event.id);
    if (event.name === 'stalled') return;
    const now = await o.read(id);
    if (!now) return stop(); // expired, or removed without a record
    if (isTerminal(now.status)) {
      if (event.name === 'active' && lastStatus === 'pending') {
        emitStatus(asOf(now, 'processing', msOf(event.id)), event.id);
      }
      return emitStatus(now, event.id);
    }
    if (END_EVENTS.includes(event.name)) {
      // The job left BullMQ but its record is not readable yet: look again shortly.
      return void setTimeout(() => void recheck(), 100);
    }
    emitStatus(now, event.id);
  };
  /** Safety net: the tracker's answer, whatever the event stream said or missed. */
  const recheck = async () => {
    if (ended) return;
    try {
      const now = await o.read(id);
      if (!now) return stop();
      if (now.status !== lastStatus) emitStatus(now, await o.hub.latestEventId(kind));
    } catch (err) {
      log.warn('status recheck failed', { err });
    }
  };
  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(work).catch((err: unknown) => log.warn('status event failed', { err }));
  };

  const buffered: JobEvent[] = [];
  let live = false;
  // Resolves once the hub's readers are started (the first subscribe starts them) from a
  // position at or before the one read below.
  const unsubscribe = await o.hub.subscribe(
    id,
    (event) => (live ? enqueue(() => onLive(event)) : buffered.push(event)),
    stop,
  );
  const heartbeat = setInterval(() => sink.heartbeat(), o.heartbeatMs ?? 15000);
  const safety = setInterval(() => enqueue(recheck), o.recheckMs ?? 5000);
  const onAbort = () => stop();
  request.signal.addEventListener('abort', onAbort, { once: true });
  // The client may have left while the hub was starting: no abort event comes after that.
  if (request.signal.aborted) stop();
  try {
    // Subscribed first, then the stream position, then the state: whatever happens after the
    // position arrives as a live event, and whatever happened before it is in the state.
    const position = await o.hub.latestEventId(kind);
    const snapshot = await o.read(id);
    if (!snapshot) return stop();
    const resume = request.lastEventId;
    if (resume !== undefined && isStreamId(resume) && compareStreamIds(resume, position) <= 0) {
      lastId = resume;
      await replay(o, kind, snapshot, resume, position, { emitStatus, emitProgress });
      // What replay could not show (a trimmed stream): the state now.
      if (snapshot.status !== lastStatus) emitStatus(snapshot, position);
    } else {
      emitStatus(snapshot, position);
    }
    lastId = maxId(lastId, position);
    live = true;
    for (const event of buffered.splice(0)) enqueue(() => onLive(event));
    await done;
  } finally {
    unsubscribe();
    clearInterval(heartbeat);
    clearInterval(safety);
    request.signal.removeEventListener('abort', onAbort);
    stop();
  }
}

/** Re-emits the transitions recorded in the stream after `after`, as they were then. */
async function replay(
  o: StatusEventStreamOptions,
  kind: ReturnType<typeof kindOf>,
  snapshot: StatusRecord,
  after: string,
  upTo: string,
  emit: {
    emitStatus(record: StatusRecord, eventId: string): void;
    emitProgress(progress: unknown, eventId: string): void;
  },
): Promise<void> {
  const { events } = await o.hub.history(kind, snapshot.request_id, after, upTo);
  for (const event of events) {
    if (event.name === 'progress') emit.emitProgress(event.data, event.id);
    else if (event.name === 'active')
      emit.emitStatus(asOf(snapshot, 'processing', msOf(event.id)), event.id);
    else if (PENDING_EVENTS.includes(event.name))
      emit.emitStatus(asOf(snapshot, 'pending', msOf(event.id)), event.id);
    else if (END_EVENTS.includes(event.name) && isTerminal(snapshot.status))
      emit.emitStatus(snapshot, event.id);
  }
}

/**
 * The status object a request had at `atMs`, built from a later one: the same request, an
 * earlier state. Times are those of that moment; later facts (result, progress) are left out.
 */
export function asOf(
  later: StatusRecord,
  status: 'pending' | 'processing',
  atMs: number,
): StatusRecord {
  if (later.status === status) return later;
  const created = Date.parse(later.created_at);
  const started = later.started_at === undefined ? atMs : Date.parse(later.started_at);
  return {
    request_id: later.request_id,
    status,
    ...(later.service_type === undefined ? {} : { service_type: later.service_type }),
    ...(later.service_name === undefined ? {} : { service_name: later.service_name }),
    ...(later.priority === undefined ? {} : { priority: later.priority }),
    created_at: later.created_at,
    ...(status === 'processing'
      ? { started_at: toIso(started), processing_time: formatSeconds(atMs - started) }
      : {}),
    elapsed_time: formatSeconds(atMs - created),
  };
}

function msOf(streamId: string): number {
  return Number(streamId.split('-')[0]);
}

function maxId(a: string, b: string): string {
  return compareStreamIds(a, b) >= 0 ? a : b;
}

function isProgress(v: unknown): v is { done: number; total: number } {
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof (v as { done?: unknown }).done === 'number' &&
    typeof (v as { total?: unknown }).total === 'number'
  );
}
