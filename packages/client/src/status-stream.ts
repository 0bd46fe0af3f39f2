import type { ProgressEvent, StatusObject } from '@openad-async/contracts';

import { ApiNetworkError, OpenadApiError, errorFromResponse } from './errors';
import type { HttpTransport } from './http-transport';
import { SseParser, type SseMessage } from './sse-parser';
import type { StatusStreamEvent } from './types';

const TERMINAL: readonly string[] = ['completed', 'failed', 'timeout', 'canceled'];

export interface StatusStreamOptions {
  signal?: AbortSignal;
  /** Resume after this event id (sent as `Last-Event-ID`). */
  lastEventId?: string;
  /**
   * Give the connection up (ApiNetworkError) when nothing, not even a heartbeat, arrives for
   * this long: a peer that vanished without closing would otherwise hang the stream forever.
   * @defaultValue 60000 (the service sends a heartbeat every 15 s by default)
   */
  idleTimeoutMs?: number;
}

/** The answer was not an event stream (an older service, a proxy page). */
export class EventStreamUnavailableError extends OpenadApiError {
  constructor(status: number, contentType: string | null) {
    super('BAD_RESPONSE', status, `No event stream (HTTP ${status}, ${contentType ?? 'no type'})`);
  }
}

/**
 * Yields the events of `GET /async/status/:id/events` until the terminal status event, then
 * returns. If the connection ends before that, it returns without one: the caller decides to
 * reconnect (with the last id seen) or to poll.
 */
export async function* statusStream(
  transport: HttpTransport,
  id: string,
  o: StatusStreamOptions = {},
): AsyncGenerator<StatusStreamEvent, void, undefined> {
  const idleMs = o.idleTimeoutMs ?? 60000;
  const idle = new AbortController();
  // Unref'd (where timers have it): a watchdog must not keep a Node process alive by itself.
  const arm = () => {
    const t = setTimeout(() => idle.abort(), idleMs);
    (t as { unref?: () => void }).unref?.();
    return t;
  };
  let timer = arm();
  const awake = () => {
    clearTimeout(timer);
    timer = arm();
  };
  const signal = o.signal ? AbortSignal.any([o.signal, idle.signal]) : idle.signal;
  try {
    yield* readStream(transport, id, o.lastEventId, signal, awake);
  } catch (err) {
    if (idle.signal.aborted && !o.signal?.aborted) {
      throw new ApiNetworkError(`Event stream silent for ${idleMs} ms`, err);
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function* readStream(
  transport: HttpTransport,
  id: string,
  lastEventId: string | undefined,
  signal: AbortSignal,
  awake: () => void,
): AsyncGenerator<StatusStreamEvent, void, undefined> {
  const res = await transport.raw(`/async/status/${encodeURIComponent(id)}/events`, {
    headers: {
      accept: 'text/event-stream',
      ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
    },
    timeoutMs: 0,
    signal,
  });
  const type = res.headers.get('content-type');
  if (!res.ok && type?.includes('json')) {
    throw errorFromResponse(res.status, await res.json(), res.headers.get('retry-after'));
  }
  if (!res.ok || !type?.startsWith('text/event-stream') || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new EventStreamUnavailableError(res.status, type);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      awake();
      for (const message of parser.push(value)) {
        const event = toEvent(message);
        if (!event) continue;
        yield event;
        if (event.type === 'status' && TERMINAL.includes(event.record.status)) return;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function toEvent(m: SseMessage): StatusStreamEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(m.data);
  } catch {
    return null;
  }
  if (data === null || typeof data !== 'object') return null;
  if (m.event === 'status') {
    return { type: 'status', id: m.id, record: data as StatusObject };
  }
  if (m.event === 'progress') {
    const p = data as ProgressEvent;
    return { type: 'progress', id: m.id, request_id: p.request_id, progress: p.progress };
  }
  // Event names added later are skipped, so older clients keep working.
  return null;
}
