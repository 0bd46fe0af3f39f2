import type { ServiceKind } from '@openad-async/contracts';

/**
 * Our own keys sit beside BullMQ's under the same prefix, so one prefix isolates a deployment
 * (or a test file) completely. BullMQ uses `<prefix>:<queue>:…`; ours add an `oa` segment.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** Terminal claim of one request: who ended it, once. */
  terminal(kind: ServiceKind, id: string): string {
    return `${this.prefix}:${kind}:oa:terminal:${id}`;
  }
  /** Hash: terminal status → count. */
  statusCounts(kind: ServiceKind): string {
    return `${this.prefix}:${kind}:oa:status-counts`;
  }
  /** Hash: priority name → submissions. */
  priorityCounts(kind: ServiceKind): string {
    return `${this.prefix}:${kind}:oa:priority-counts`;
  }
  totalRequests(kind: ServiceKind): string {
    return `${this.prefix}:${kind}:oa:total`;
  }
  /** Sorted set: request id scored by its deadline (epoch ms). */
  deadlines(kind: ServiceKind): string {
    return `${this.prefix}:${kind}:oa:deadlines`;
  }
  /** Sorted set: worker id scored by its last heartbeat (epoch ms). */
  workers(): string {
    return `${this.prefix}:oa:workers`;
  }
  heartbeat(workerId: string): string {
    return `${this.prefix}:oa:heartbeat:${workerId}`;
  }
  /** Pub/sub: cancel a processing request on whichever worker holds it. */
  cancelChannel(): string {
    return `${this.prefix}:oa:cancel`;
  }
  /** Sorted set: one caller's recent request times (epoch ms), for the shared rate limit. */
  rateLimit(callerId: string): string {
    return `${this.prefix}:oa:rate:${callerId}`;
  }
  /** Pub/sub: a request reached a terminal state (wakes sync waiters on any replica). */
  doneChannel(): string {
    return `${this.prefix}:oa:done`;
  }
}
