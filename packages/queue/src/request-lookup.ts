import type { Redis } from 'ioredis';
import { SERVICE_KINDS, type ServiceKind, type TerminalStatus } from '@openad-async/contracts';

import type { JobQueues } from './job-queues';
import type { RedisKeys } from './redis-keys';
import { asTerminal } from './terminal-ledger';

/**
 * Everything a status read needs from Redis, in one round trip: the terminal claim in either
 * queue, and the fields of the job in whichever queue holds it.
 * KEYS[1..n] claim key per kind, KEYS[n+1..2n] BullMQ job hash per kind (same kind order).
 * Returns {claim or '', index of the kind holding the job or 0, data, processedOn, progress}.
 * The job hash fields are BullMQ's stored job layout (`data`, `processedOn`, `progress`), the
 * same fields `Job.fromJSON` reads.
 */
const LOOKUP_SCRIPT = `
local n = #KEYS / 2
local claim = ''
for i = 1, n do
  local c = redis.call('GET', KEYS[i])
  if c then claim = c break end
end
for i = 1, n do
  local f = redis.call('HMGET', KEYS[n + i], 'data', 'processedOn', 'progress')
  if f[1] then return {claim, i, f[1], f[2] or '', f[3] or ''} end
end
return {claim, 0}
`;

type LookupRedis = Redis & {
  oaLookupRequest(...keys: string[]): Promise<[string, number, string?, string?, string?]>;
};

/** A job still in BullMQ, as far as a status read needs it. */
export interface LiveJob {
  kind: ServiceKind;
  /** The job payload as BullMQ stored it (parse it before use). */
  data: unknown;
  /** Set once a worker took the job; a job never taken is pending. */
  processedOn: number | null;
  progress: unknown;
}

export interface RequestSnapshot {
  claim: TerminalStatus | null;
  live: LiveJob | null;
}

/**
 * Reads the claim and the live job of a request with one EVALSHA instead of a GET per claim
 * and an HGETALL per queue: a status poll is the most frequent request the api serves.
 */
export class RequestLookup {
  private readonly redis: LookupRedis;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly queues: JobQueues,
  ) {
    const r = redis as LookupRedis;
    if (typeof r.oaLookupRequest !== 'function') {
      r.defineCommand('oaLookupRequest', { lua: LOOKUP_SCRIPT });
    }
    this.redis = r;
  }

  async lookup(id: string): Promise<RequestSnapshot> {
    const claimKeys = SERVICE_KINDS.map((kind) => this.keys.terminal(kind, id));
    const jobKeys = SERVICE_KINDS.map((kind) => this.queues.queues[kind].toKey(id));
    const keys = [...claimKeys, ...jobKeys];
    const [claim, index, data, processedOn, progress] = await this.redis.oaLookupRequest(
      String(keys.length),
      ...keys,
    );
    const kind = index > 0 ? SERVICE_KINDS[index - 1] : undefined;
    return {
      claim: claim === '' ? null : asTerminal(claim),
      live:
        kind === undefined
          ? null
          : {
              kind,
              data: parseJson(data),
              processedOn: processedOn ? Number(processedOn) : null,
              progress: parseJson(progress),
            },
    };
  }
}

/** Unparseable stored JSON reads as undefined; the caller's schema check reports it. */
function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
