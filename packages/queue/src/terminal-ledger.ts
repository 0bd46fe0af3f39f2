import type { Redis } from 'ioredis';
import type { ServiceKind, StatusRecord, TerminalStatus } from '@openad-async/contracts';
import { TERMINAL_STATUSES } from '@openad-async/contracts';

import type { RecordStore, StagedRecord } from './record-store';
import type { RedisKeys } from './redis-keys';

/**
 * Claims the terminal state of a request, once, and counts it.
 * KEYS[1] terminal claim key, KEYS[2] status-counts hash, KEYS[3] deadlines sorted set
 * ARGV[1] terminal status, ARGV[2] claim TTL seconds, ARGV[3] request id
 * Returns '' when this call claimed it, else the status claimed before.
 */
const CLAIM_SCRIPT = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('ZREM', KEYS[3], ARGV[3])
return ''
`;

type ClaimingRedis = Redis & {
  oaClaimTerminal(
    k1: string,
    k2: string,
    k3: string,
    status: string,
    ttl: number,
    id: string,
  ): Promise<string>;
};

export type ClaimResult = { won: true } | { won: false; existing: TerminalStatus };

export interface TerminalLedgerOptions {
  redis: Redis;
  keys: RedisKeys;
  store: RecordStore;
  /**
   * How long a claim outlives its request in Redis. It only has to cover the window in which
   * a job may still be in BullMQ (a stalled re-run); the store is authoritative afterwards.
   * @defaultValue 3600
   */
  claimTtlSeconds?: number;
  /**
   * Runs after a record is stored (before sync waiters wake): the webhook outbox. If it
   * throws, store() throws, and the worker's store retry tries both again.
   */
  afterStore?: (record: StatusRecord) => Promise<void>;
}

/**
 * The one way a request ends. Whoever wins the claim writes the record; losers leave it alone,
 * so a cancel racing a completion can never leave a record that disagrees with the counts.
 */
export class TerminalLedger {
  private readonly redis: ClaimingRedis;
  private readonly ttl: number;

  constructor(private readonly options: TerminalLedgerOptions) {
    this.ttl = options.claimTtlSeconds ?? 3600;
    const redis = options.redis as ClaimingRedis;
    if (typeof redis.oaClaimTerminal !== 'function') {
      redis.defineCommand('oaClaimTerminal', { numberOfKeys: 3, lua: CLAIM_SCRIPT });
    }
    this.redis = redis;
  }

  async claim(kind: ServiceKind, id: string, status: TerminalStatus): Promise<ClaimResult> {
    const k = this.options.keys;
    const existing = await this.redis.oaClaimTerminal(
      k.terminal(kind, id),
      k.statusCounts(kind),
      k.deadlines(kind),
      status,
      this.ttl,
      id,
    );
    if (existing === '') return { won: true };
    return { won: false, existing: asTerminal(existing) };
  }

  async claimed(kind: ServiceKind, id: string): Promise<TerminalStatus | null> {
    const value = await this.options.redis.get(this.options.keys.terminal(kind, id));
    return value === null ? null : asTerminal(value);
  }

  /**
   * Stores the record of a claimed request and wakes anyone waiting on it. `staged`, when given,
   * holds this same record already written (RecordStore.stage), and is committed instead.
   */
  async store(record: StatusRecord, staged?: StagedRecord): Promise<StatusRecord> {
    const stored = staged ? await staged.commit() : await this.options.store.put(record);
    await this.options.afterStore?.(stored);
    await this.options.redis
      .publish(this.options.keys.doneChannel(), record.request_id)
      .catch(() => undefined); // waiters also poll; a lost wake-up only delays them
    return stored;
  }
}

/** A stored claim value; anything unknown reads as failed, never as success. */
export function asTerminal(value: string): TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(value)
    ? (value as TerminalStatus)
    : 'failed';
}
