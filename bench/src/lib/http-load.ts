/**
 * A small HTTP/1.1 load generator on raw keep-alive sockets (no pipelining): one request in
 * flight per connection, responses framed by Content-Length (every server benched here sets it;
 * a chunked answer is counted as an error). It is much cheaper per request than node:http's
 * client, so on a 2-core machine the client steals less CPU from the server it measures.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface Target {
  host: string;
  port: number;
}

/** The bytes of one request. */
export function buildRequest(
  target: Target,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: string,
): Buffer {
  const head =
    `${method} ${path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\n` +
    (body === undefined
      ? '\r\n'
      : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
  return Buffer.from(body === undefined ? head : head + body);
}

type Done = (status: number, body: Buffer) => void;
type Failed = (error: Error) => void;

/** One keep-alive connection with at most one request in flight. */
class Connection {
  readonly socket: net.Socket;
  private chunks: Buffer[] = [];
  private length = 0;
  private pending: { done: Done; failed: Failed } | null = null;
  closed = false;
  readonly ready: Promise<void>;

  constructor(target: Target) {
    this.socket = net.connect({ host: target.host, port: target.port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
    this.ready.catch(() => undefined);
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      const p = this.pending;
      this.pending = null;
      p?.failed(new Error('connection closed'));
    });
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  send(request: Buffer, done: Done, failed: Failed): void {
    if (this.closed) {
      failed(new Error('connection closed'));
      return;
    }
    this.pending = { done, failed };
    this.socket.write(request);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.length += d.length;
    const buf =
      this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    const headerEnd = buf.indexOf('\r\n\r\n');
    if (headerEnd < 0) {
      this.chunks = [buf];
      return;
    }
    const head = buf.toString('latin1', 0, headerEnd);
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const p = this.pending;
    if (!m) {
      this.pending = null;
      this.chunks = [];
      this.length = 0;
      p?.failed(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
      this.close();
      return;
    }
    const total = headerEnd + 4 + Number(m[1]);
    if (buf.length < total) {
      this.chunks = [buf];
      return;
    }
    const body = buf.subarray(headerEnd + 4, total);
    this.chunks = [];
    this.length = 0;
    this.pending = null;
    p?.done(status, body);
  }
}

export interface LoadResult {
  /** Responses counted in the measured window. */
  count: number;
  /** Measured window, ms. */
  windowMs: number;
  /** Responses per second in the window. */
  rps: number;
  /** Latency of each measured request, ms (open loop: from its scheduled send time). */
  latenciesMs: Float64Array;
  /** Open loop only: from the actual send (time the server had it). */
  serviceMs?: Float64Array;
  statuses: Record<string, number>;
  errors: number;
  /** Requests sent in all (warm-up included). */
  sent: number;
  /** Open loop: achieved send rate. */
  sentRps?: number;
}

export interface ClosedLoopOptions {
  target: Target;
  connections: number;
  /** The i-th request's bytes (i counts from 0 over the whole run). */
  request(i: number): Buffer;
  /** Stop after this many requests (warm-up included)… */
  total?: number;
  /** …or after this long (measured window, after warm-up). */
  durationMs?: number;
  /** Responses before this are not measured. @defaultValue 0 */
  warmupMs?: number;
  /** Every response, with when its request was sent (performance.now()). */
  onResponse?(i: number, status: number, body: Buffer, sentAt: number): void;
}

/** `connections` clients, each sending its next request when the previous answers. */
export async function closedLoop(o: ClosedLoopOptions): Promise<LoadResult> {
  const conns = Array.from({ length: o.connections }, () => new Connection(o.target));
  await Promise.all(conns.map((c) => c.ready));
  const warmupMs = o.warmupMs ?? 0;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const measureTo = o.durationMs === undefined ? Infinity : measureFrom + o.durationMs;
  const total = o.total ?? Infinity;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let count = 0;
  let firstMeasured = Infinity;
  let lastMeasured = 0;
  await new Promise<void>((resolve) => {
    let active = conns.length;
    const next = (c: Connection): void => {
      const now = performance.now();
      if (sent >= total || now >= measureTo || c.closed) {
        active -= 1;
        if (active === 0) resolve();
        return;
      }
      const i = sent;
      sent += 1;
      const sentAt = now;
      c.send(
        o.request(i),
        (status, body) => {
          const t = performance.now();
          if (sentAt >= measureFrom && t <= measureTo) {
            latencies.push(t - sentAt);
            statuses[status] = (statuses[status] ?? 0) + 1;
            count += 1;
            firstMeasured = Math.min(firstMeasured, sentAt);
            lastMeasured = t;
          }
          o.onResponse?.(i, status, body, sentAt);
          next(c);
        },
        () => {
          errors += 1;
          next(c);
        },
      );
    };
    for (const c of conns) next(c);
  });
  for (const c of conns) c.close();
  const windowMs =
    o.durationMs !== undefined
      ? Math.min(o.durationMs, lastMeasured - measureFrom)
      : lastMeasured - firstMeasured;
  return {
    count,
    windowMs,
    rps: (count / windowMs) * 1000,
    latenciesMs: Float64Array.from(latencies),
    statuses,
    errors,
    sent,
  };
}

export interface OpenLoopOptions {
  target: Target;
  /** Requests per second offered, whatever the answers do. */
  rate: number;
  durationMs: number;
  /** Requests in this first part are sent but not measured. @defaultValue 0 */
  warmupMs?: number;
  request(i: number): Buffer;
  /** Connections opened at most; a request with none free waits (its wait counts). @defaultValue 256 */
  maxConnections?: number;
  onResponse?(i: number, status: number, body: Buffer, sentAt: number): void;
}

/**
 * Offers a fixed rate: request i is due at start + i/rate and its latency runs from that due
 * time, so a slow server cannot slow the client down and hide its own queueing (no coordinated
 * omission). Connections are reused most-recently-freed first.
 */
export async function openLoop(o: OpenLoopOptions): Promise<LoadResult> {
  const maxConnections = o.maxConnections ?? 256;
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  let opening = 0;
  const waiting: (() => void)[] = [];
  const warmupMs = o.warmupMs ?? 0;
  const totalMs = warmupMs + o.durationMs;
  const totalRequests = Math.round((totalMs / 1000) * o.rate);
  const latencies: number[] = [];
  const service: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let settled = 0;
  let count = 0;

  const acquire = (run: (c: Connection) => void): void => {
    for (;;) {
      const c = idle.pop();
      if (c === undefined) break;
      if (!c.closed) return run(c);
      all.delete(c);
    }
    if (all.size + opening < maxConnections) {
      opening += 1;
      const c = new Connection(o.target);
      c.ready.then(
        () => {
          opening -= 1;
          all.add(c);
          run(c);
        },
        () => {
          opening -= 1;
          errors += 1;
          settled += 1;
        },
      );
      return;
    }
    waiting.push(() => acquire(run));
  };
  const releaseConn = (c: Connection): void => {
    if (c.closed) all.delete(c);
    else idle.push(c);
    const w = waiting.shift();
    if (w) w();
  };

  const start = performance.now();
  const measureFrom = start + warmupMs;
  let lastSentAt = start;
  await new Promise<void>((resolve) => {
    const finishIfDone = (): void => {
      if (settled === totalRequests) resolve();
    };
    const fire = (i: number, due: number): void => {
      acquire((c) => {
        const sentAt = performance.now();
        lastSentAt = sentAt;
        c.send(
          o.request(i),
          (status, body) => {
            const t = performance.now();
            if (due >= measureFrom) {
              latencies.push(t - due);
              service.push(t - sentAt);
              statuses[status] = (statuses[status] ?? 0) + 1;
              count += 1;
            }
            o.onResponse?.(i, status, body, sentAt);
            settled += 1;
            releaseConn(c);
            finishIfDone();
          },
          () => {
            errors += 1;
            settled += 1;
            releaseConn(c);
            finishIfDone();
          },
        );
      });
    };
    const tick = (): void => {
      const now = performance.now();
      while (sent < totalRequests) {
        const due = start + (sent * 1000) / o.rate;
        if (due > now) break;
        fire(sent, due);
        sent += 1;
      }
      if (sent < totalRequests) setTimeout(tick, 1);
    };
    tick();
  });
  for (const c of all) c.close();
  for (const c of idle) c.close();
  return {
    count,
    windowMs: o.durationMs,
    rps: (count / o.durationMs) * 1000,
    latenciesMs: Float64Array.from(latencies),
    serviceMs: Float64Array.from(service),
    statuses,
    errors,
    sent,
    sentRps: (sent / (lastSentAt - start)) * 1000,
  };
}
