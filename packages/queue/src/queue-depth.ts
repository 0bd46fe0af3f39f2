import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { PRIORITY_NAMES, priorityFromBullmq, type PriorityName } from '@openad-async/contracts';

/**
 * Pending jobs of one BullMQ 6 queue per priority, and the submission time of the oldest.
 *
 * KEYS[1] wait (list), KEYS[2] prioritized (sorted set), KEYS[3] delayed (sorted set),
 * KEYS[4] active (list)
 * ARGV[1] job hash key prefix, `<prefix>:<queue>:`
 * ARGV[2] cap: most jobs read one by one from the wait list and from the delayed set
 * Returns { n0, n1, n2, n3, n4, unread, oldest, active }: n1..n4 pending jobs with BullMQ
 * priority 1..4, n0 jobs read with any other priority (0 = none); unread = wait/delayed jobs past
 * the cap; oldest = the smallest job `timestamp` (ms) seen, or -1; active = LLEN active.
 *
 * Prioritized jobs are scored `priority * 2^32 + counter` (BullMQ's getPriorityScore.lua), so a
 * ZCOUNT over one 2^32-wide band counts one priority, as `Queue.getCountsPerPriority` does, and a
 * band's lowest score is its earliest job. The wait list and the delayed set keep no priority in
 * their order (jobs land there after a stall or when added with a delay), so their job hashes are
 * read; the wait list's tail holds its oldest jobs (LPUSH in, RPOPLPUSH out).
 */
const DEPTH_SCRIPT = `
local prefix = ARGV[1]
local cap = tonumber(ARGV[2])
local counts = {0, 0, 0, 0, 0}
local oldest = -1
local band = 4294967296
local function consider(ts)
  local t = tonumber(ts)
  if t and (oldest < 0 or t < oldest) then oldest = t end
end
for p = 1, 4 do
  local lo = p * band
  local hi = (p + 1) * band - 1
  counts[p + 1] = redis.call('ZCOUNT', KEYS[2], lo, hi)
  local first = redis.call('ZRANGEBYSCORE', KEYS[2], lo, hi, 'LIMIT', 0, 1)
  if first[1] then consider(redis.call('HGET', prefix .. first[1], 'timestamp')) end
end
local function tally(ids)
  for _, id in ipairs(ids) do
    local f = redis.call('HMGET', prefix .. id, 'priority', 'timestamp')
    local p = tonumber(f[1]) or 0
    if p >= 1 and p <= 4 then counts[p + 1] = counts[p + 1] + 1 else counts[1] = counts[1] + 1 end
    consider(f[2])
  end
end
local unread = 0
local waiting = redis.call('LLEN', KEYS[1])
if waiting > 0 then tally(redis.call('LRANGE', KEYS[1], -cap, -1)) end
if waiting > cap then unread = unread + waiting - cap end
local delayed = redis.call('ZCARD', KEYS[3])
if delayed > 0 then tally(redis.call('ZRANGE', KEYS[3], 0, cap - 1)) end
if delayed > cap then unread = unread + delayed - cap end
return {counts[1], counts[2], counts[3], counts[4], counts[5], unread, oldest, redis.call('LLEN', KEYS[4])}
`;

type DepthRedis = Redis & {
  oaQueueDepth(
    wait: string,
    prioritized: string,
    delayed: string,
    active: string,
    jobPrefix: string,
    cap: number,
  ): Promise<number[]>;
};

export interface QueueDepth {
  /**
   * Waiting + prioritized + delayed jobs per priority. Jobs with a priority outside the four
   * levels, and wait/delayed jobs past the read cap, count as `normal` (BullMQ's default).
   */
  pending: Record<PriorityName, number>;
  /** Submission time (epoch ms) of the oldest pending job; null when none is pending. */
  oldestPendingAt: number | null;
  /** Jobs being processed. */
  active: number;
}

/**
 * Reads the depth of one queue in one script call (one consistent snapshot, one round trip).
 * Meant for metric scrapes, not for request paths: it reads up to 2 × `cap` job hashes when jobs
 * sit in the wait list or the delayed set, which in this service happens only after stalls.
 */
export async function queueDepth(redis: Redis, queue: Queue, cap = 1000): Promise<QueueDepth> {
  const r = redis as DepthRedis;
  if (typeof r.oaQueueDepth !== 'function') {
    r.defineCommand('oaQueueDepth', { numberOfKeys: 4, lua: DEPTH_SCRIPT });
  }
  const key = (type: string) => queue.toKey(type);
  const limit = Math.max(1, Math.floor(cap));
  const [other = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, unread = 0, oldest = -1, active = 0] =
    await r.oaQueueDepth(
      key('wait'),
      key('prioritized'),
      key('delayed'),
      key('active'),
      key(''),
      limit,
    );
  const pending = Object.fromEntries(PRIORITY_NAMES.map((p) => [p, 0])) as Record<
    PriorityName,
    number
  >;
  [p1, p2, p3, p4].forEach((n, i) => (pending[priorityFromBullmq(i + 1)] += n));
  pending.normal += other + unread;
  return { pending, oldestPendingAt: oldest < 0 ? null : oldest, active };
}
