import type { StatusObject } from '@openad-async/contracts';

import { Backoff, sleep } from './abortable-sleep';
import {
  ApiNetworkError,
  ApiNotFoundError,
  ApiRetryLaterError,
  OpenadApiError,
  WaitTimeoutError,
} from './errors';
import type { HttpTransport } from './http-transport';
import { EventStreamUnavailableError, statusStream } from './status-stream';
import type { StatusStreamEvent, WaitOptions } from './types';

const TERMINAL: readonly string[] = ['completed', 'failed', 'timeout', 'canceled'];

/** A stream that ends this many times in a row without news is given up for polling. */
const MAX_EMPTY_RECONNECTS = 3;
/** Transient errors in a row that polling rides out before it gives up. */
const MAX_TRANSIENT_ERRORS = 8;

export interface WaitDeps {
  transport: HttpTransport;
  readStatus(id: string, signal?: AbortSignal): Promise<StatusObject>;
  /** Shared by the waits of one client: once a service has no event stream, stop asking. */
  sse: { unsupported: boolean };
}

/** Resolves with the terminal status object (completed, failed, timeout or canceled). */
export async function waitForRequest(
  deps: WaitDeps,
  id: string,
  o: WaitOptions = {},
): Promise<StatusObject> {
  const limit = new AbortController();
  const timer =
    o.timeoutMs === undefined
      ? undefined
      : setTimeout(() => limit.abort(new WaitTimeoutError(id, o.timeoutMs ?? 0)), o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([o.signal, limit.signal]) : limit.signal;
  try {
    const mode = o.mode ?? 'auto';
    if (mode !== 'poll' && !(mode === 'auto' && deps.sse.unsupported)) {
      const streamed = await viaStream(deps, id, o, signal, mode === 'sse');
      if (streamed) return streamed;
    }
    return await viaPolling(deps, id, o, signal);
  } catch (err) {
    // Our own timeout surfaces as itself, not as whatever the aborted call threw.
    if (limit.signal.aborted && !o.signal?.aborted) throw limit.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** The terminal record from the event stream, or null to fall back to polling. */
async function viaStream(
  deps: WaitDeps,
  id: string,
  o: WaitOptions,
  signal: AbortSignal,
  required: boolean,
): Promise<StatusObject | null> {
  let lastEventId: string | undefined;
  let empty = 0;
  const backoff = new Backoff(200, 2000);
  for (;;) {
    let news = false;
    try {
      for await (const event of statusStream(deps.transport, id, {
        signal,
        ...(lastEventId === undefined ? {} : { lastEventId }),
      })) {
        news = true;
        lastEventId = event.id ?? lastEventId;
        o.onUpdate?.(event);
        if (event.type === 'status' && TERMINAL.includes(event.record.status)) return event.record;
      }
    } catch (err) {
      signal.throwIfAborted();
      if (required) throw err;
      if (err instanceof EventStreamUnavailableError) {
        deps.sse.unsupported = true;
        return null;
      }
      if (err instanceof ApiNotFoundError) {
        // An unknown request, or a service without the events route: one status read tells.
        await deps.readStatus(id, signal);
        deps.sse.unsupported = true;
        return null;
      }
      if (!isTransient(err)) throw err;
    }
    empty = news ? 0 : empty + 1;
    if (empty >= MAX_EMPTY_RECONNECTS) {
      if (required) throw new OpenadApiError('BAD_RESPONSE', 0, 'Event stream keeps closing');
      return null;
    }
    if (news) backoff.reset();
    await sleep(backoff.next(), signal);
  }
}

async function viaPolling(
  deps: WaitDeps,
  id: string,
  o: WaitOptions,
  signal: AbortSignal,
): Promise<StatusObject> {
  const backoff = new Backoff(o.pollInitialMs ?? 250, o.pollMaxMs ?? 5000);
  let last: StatusObject | undefined;
  let errors = 0;
  for (;;) {
    let record: StatusObject | undefined;
    let retryAfterMs = 0;
    try {
      record = await deps.readStatus(id, signal);
      errors = 0;
    } catch (err) {
      signal.throwIfAborted();
      errors += 1;
      if (!isTransient(err) || errors >= MAX_TRANSIENT_ERRORS) throw err;
      if (err instanceof ApiRetryLaterError) retryAfterMs = err.retryAfterSeconds * 1000;
    }
    if (record) {
      for (const update of changes(last, record)) o.onUpdate?.(update);
      last = record;
      if (TERMINAL.includes(record.status)) return record;
    }
    await sleep(Math.max(retryAfterMs, backoff.next()), signal);
  }
}

/** The events a poll reveals: a state change, and a progress change while processing. */
function changes(before: StatusObject | undefined, now: StatusObject): StatusStreamEvent[] {
  const out: StatusStreamEvent[] = [];
  if (before?.status !== now.status) out.push({ type: 'status', id: undefined, record: now });
  if (
    now.status === 'processing' &&
    now.progress &&
    (before?.progress?.done !== now.progress.done || before.progress.total !== now.progress.total)
  ) {
    out.push({
      type: 'progress',
      id: undefined,
      request_id: now.request_id,
      progress: now.progress,
    });
  }
  return out;
}

function isTransient(err: unknown): boolean {
  return (
    err instanceof ApiNetworkError ||
    err instanceof ApiRetryLaterError ||
    (err instanceof OpenadApiError && err.status >= 500)
  );
}
