import { ApiNetworkError, OpenadApiError, errorFromResponse } from './errors';

/** How the client reaches the service. */
export interface TransportOptions {
  /** Base URL of the service, e.g. 'http://localhost:8080' (a trailing '/' is fine). */
  url: string;
  /** Sent as `Authorization: Bearer <key>`. @defaultValue none */
  apiKey?: string;
  /** Extra headers on every call. @defaultValue {} */
  headers?: Record<string, string>;
  /** Per-call limit for ordinary calls (not event streams). @defaultValue 30000 */
  timeoutMs?: number;
  /** A fetch implementation (tests, old runtimes). @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Override of the per-call limit; 0 = none (streams). */
  timeoutMs?: number;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** fetch with the service's conventions: JSON in and out, `{detail}` errors as classes. */
export class HttpTransport {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: TransportOptions) {
    this.base = o.url.replace(/\/+$/, '');
    const f = o.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new Error('no fetch available: pass options.fetch');
    // Bound, since browsers reject fetch called with another `this`.
    this.fetchImpl = f.bind(globalThis);
  }

  /** A JSON call; a non-2xx answer throws the error class of its code. */
  async json(path: string, call: CallOptions = {}): Promise<JsonAnswer> {
    const res = await this.raw(path, call);
    const text = await res.text();
    let body: unknown = text;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        if (res.ok) {
          throw new OpenadApiError('BAD_RESPONSE', res.status, 'Answer is not JSON', text);
        }
      }
    }
    if (!res.ok) throw errorFromResponse(res.status, body, res.headers.get('retry-after'));
    return { status: res.status, body };
  }

  /** The response itself (event streams); network failures become ApiNetworkError. */
  async raw(path: string, call: CallOptions = {}): Promise<Response> {
    const limit = call.timeoutMs ?? this.o.timeoutMs ?? 30000;
    const timeout = limit > 0 ? AbortSignal.timeout(limit) : undefined;
    const signals = [call.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.o.headers,
      ...call.headers,
    };
    if (this.o.apiKey !== undefined) headers.authorization = `Bearer ${this.o.apiKey}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await this.fetchImpl(`${this.base}${path}`, {
        method: call.method ?? 'GET',
        headers,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (err) {
      // The caller's own abort propagates as is; everything else is the network's fault.
      if (call.signal?.aborted) throw call.signal.reason;
      const why = timeout?.aborted ? `no answer within ${limit} ms` : messageOf(err);
      throw new ApiNetworkError(`Cannot reach ${this.base}: ${why}`, err);
    }
  }
}

function messageOf(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
