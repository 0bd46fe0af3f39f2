import type { Redis } from 'ioredis';
import { WorkerHeartbeat } from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';

import type { RedisKeys } from './redis-keys';

/** Worker heartbeats in Redis: a key per worker with a TTL, and an index of who beat when. */
export class Heartbeats {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async beat(hb: WorkerHeartbeat, ttlSeconds: number, now = Date.now()): Promise<void> {
    await this.redis
      .multi()
      .set(
        this.keys.heartbeat(hb.worker_id),
        JSON.stringify(hb),
        'EX',
        Math.max(1, Math.ceil(ttlSeconds)),
      )
      .zadd(this.keys.workers(), now, hb.worker_id)
      .exec();
  }

  async remove(workerId: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.keys.heartbeat(workerId))
      .zrem(this.keys.workers(), workerId)
      .exec();
  }

  /** Heartbeats of workers still alive (their key has not expired). */
  async live(maxAgeMs: number, now = Date.now()): Promise<WorkerHeartbeat[]> {
    await this.redis.zremrangebyscore(this.keys.workers(), '-inf', String(now - maxAgeMs));
    const ids = await this.redis.zrange(this.keys.workers(), '0', '-1');
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.heartbeat(id)));
    const out: WorkerHeartbeat[] = [];
    for (const value of values) {
      if (value === null) continue;
      try {
        const parsed = WorkerHeartbeat.safeParse(JSON.parse(value));
        if (parsed.success) out.push(parsed.data);
      } catch {
        // A garbled heartbeat is as good as none.
      }
    }
    return out;
  }
}

export interface HeartbeatPublisherOptions {
  heartbeats: Heartbeats;
  /** @defaultValue 5 */
  intervalSeconds: number;
  snapshot(): WorkerHeartbeat;
  logger: Logger;
}

/** Owns the heartbeat timer of one worker process. */
export class HeartbeatPublisher {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly o: HeartbeatPublisherOptions) {}

  /** A heartbeat lives three intervals, so one missed beat does not drop a worker. */
  get ttlSeconds(): number {
    return this.o.intervalSeconds * 3;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.inFlight = this.beat();
    }, this.o.intervalSeconds * 1000);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      await this.o.heartbeats.beat(this.o.snapshot(), this.ttlSeconds);
    } catch (err) {
      this.o.logger.warn('heartbeat failed', { err });
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
    await this.o.heartbeats.remove(this.o.snapshot().worker_id).catch(() => undefined);
  }
}
