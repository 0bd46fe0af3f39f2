import { isTerminal, type StatusRecord } from '@openad-async/contracts';
import { closeRedis, type Backplane } from '@openad-async/queue';
import type { Logger } from '@openad-async/telemetry';
import type { Redis } from 'ioredis';

export interface DoneWaiterOptions {
  backplane: Backplane;
  logger: Logger;
  /** Fallback poll while waiting, in case a wake-up was lost. @defaultValue 1000 */
  pollIntervalMs?: number;
}

/**
 * Lets sync requests wait for a terminal state. Completions are announced on a Redis channel
 * by whichever process ends a request, so a waiter on any api replica wakes at once; a slow
 * poll covers lost messages (pub/sub is fire-and-forget).
 */
export class DoneWaiter {
  private subscriber: Redis | null = null;
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(private readonly o: DoneWaiterOptions) {}

  async start(): Promise<void> {
    const sub = this.o.backplane.redis.duplicate({ maxRetriesPerRequest: null });
    sub.on('error', (err) => this.o.logger.warn('done subscriber error', { err }));
    sub.on('message', (_channel: string, id: string) => {
      for (const wake of this.waiters.get(id) ?? []) wake();
    });
    await sub.subscribe(this.o.backplane.keys.doneChannel());
    this.subscriber = sub;
  }

  /** The terminal record, or null when `timeoutMs` passes (or `signal` aborts) first. */
  async wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<StatusRecord | null> {
    const deadline = Date.now() + timeoutMs;
    const poll = this.o.pollIntervalMs ?? 1000;
    while (!signal?.aborted && !this.closed) {
      const record = await this.o.backplane.tracker.read(id);
      if (record && isTerminal(record.status)) return record;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await this.sleepUntilWoken(id, Math.min(poll, left), signal);
    }
    return null;
  }

  private sleepUntilWoken(id: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(id);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const set of this.waiters.values()) for (const wake of set) wake();
    if (this.subscriber) await closeRedis(this.subscriber);
    this.subscriber = null;
  }
}
