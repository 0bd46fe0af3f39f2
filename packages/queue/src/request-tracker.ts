import {
  ConflictError,
  InferenceJob,
  NotFoundError,
  type ServiceKind,
  type StatusRecord,
  type TerminalStatus,
} from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';

import type { CancelBus } from './cancel-bus';
import { PENDING_STATES, type InferenceBullJob, type JobQueues } from './job-queues';
import type { RecordCache } from './record-cache';
import type { RecordStore } from './record-store';
import type { RequestLookup } from './request-lookup';
import { liveRecord, terminalRecord } from './status-records';
import type { TerminalLedger } from './terminal-ledger';

export interface RequestTrackerOptions {
  queues: JobQueues;
  /** One read of claim and job per status poll. */
  lookup: RequestLookup;
  ledger: TerminalLedger;
  store: RecordStore;
  cancelBus: CancelBus;
  logger: Logger;
  /** Terminal records recently seen by this process; none when absent. @defaultValue none */
  cache?: RecordCache;
  /** Injected clock for tests. @defaultValue Date.now */
  now?: () => number;
}

export type CancelOutcome = 'canceled' | 'cancel_requested';

/**
 * Answers status and cancel from shared state only (Redis, then the store), so any api replica
 * answers the same. Also ends pending requests whose deadline passed, even with no worker up.
 */
export class RequestTracker {
  private readonly now: () => number;

  constructor(private readonly o: RequestTrackerOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The status object, or null when the request is unknown or its record expired. */
  async read(id: string): Promise<StatusRecord | null> {
    // A stored record is final (only the claim winner writes it, once), so a cached one is
    // the answer without asking Redis.
    const cached = this.o.cache?.get(id);
    if (cached) return cached;
    const { claim, live } = await this.o.lookup.lookup(id);

    if (claim) {
      const stored = await this.stored(id).catch((err: unknown) => {
        // Store out of reach: while the job is in BullMQ the claimer is still retrying the
        // write, so the live state below is the truth; without the job, only the record is.
        if (live) return null;
        throw err;
      });
      if (stored) return stored;
      // Claimed, not yet stored: whoever claimed it is writing the record now, and the job
      // stays in BullMQ until that write lands, so the live state below is still true.
    }
    if (!live) return claim ? null : this.stored(id);

    const parsed = InferenceJob.safeParse(live.data);
    if (!parsed.success) {
      this.o.logger.warn('job payload unreadable', { request_id: id });
      return null;
    }
    const job = parsed.data;
    const queue = this.o.queues.queues[live.kind];
    // A job never taken by a worker is pending (it may start a moment after our read, which a
    // poll then shows): only a taken one needs the state lookup, a second Lua call.
    const state = live.processedOn === null ? 'waiting' : await queue.getJobState(id);
    if ((PENDING_STATES as readonly string[]).includes(state)) {
      if (job.deadline !== null && job.deadline <= this.now()) {
        const bull = (await queue.getJob(id)) as InferenceBullJob | undefined;
        // Gone since the lookup: whoever took it out stored its record first.
        if (!bull) return this.stored(id);
        const ended = await this.expire(live.kind, bull, job);
        // Lost to another ender whose record is not stored yet: its job is still in BullMQ,
        // so, as for any claimed request, the live state is the answer until the record lands.
        return ended.record ?? liveRecord(job, {}, this.now());
      }
      return liveRecord(job, {}, this.now());
    }
    if (state === 'active') {
      return liveRecord(
        job,
        { startedAt: live.processedOn ?? this.now(), ...progressOf(live.progress) },
        this.now(),
      );
    }
    // Completed/failed leftovers: the record (if any) is the truth.
    return this.stored(id);
  }

  /**
   * Cancels a request: a pending one is removed and recorded `canceled` now; a processing one
   * is aborted on whichever worker holds it. Throws NotFound (unknown) or Conflict (finished).
   * With `ownedBy` (an owner tag, or null for anonymous), a request of another owner is
   * NotFound, exactly as if it did not exist.
   */
  async cancel(id: string, options: { ownedBy?: string | null } = {}): Promise<CancelOutcome> {
    const { ownedBy } = options;
    const hidden = (owner: string | null | undefined) =>
      ownedBy !== undefined && (owner ?? null) !== ownedBy;
    const found = await this.o.queues.find(id);
    if (!found) {
      const record = await this.read(id);
      if (record && !hidden(record.owner))
        throw new ConflictError('Request already finished', {
          request_id: id,
          status: record.status,
        });
      throw new NotFoundError('Request not found', { request_id: id });
    }
    const parsed = InferenceJob.safeParse(found.job.data);
    if (!parsed.success || hidden(parsed.data.owner))
      throw new NotFoundError('Request not found', { request_id: id });
    const state = await stateOf(found.job);
    if ((PENDING_STATES as readonly string[]).includes(state)) {
      const ended = await this.end(
        found.kind,
        found.job,
        parsed.data,
        'canceled',
        'Request was canceled while pending',
      );
      if (ended.status !== 'canceled') {
        throw new ConflictError('Request already finished', {
          request_id: id,
          status: ended.status,
        });
      }
      return 'canceled';
    }
    const claimed = await this.o.ledger.claimed(found.kind, id);
    if (claimed)
      throw new ConflictError('Request already finished', { request_id: id, status: claimed });
    if (state !== 'active') throw new ConflictError('Request already finished', { request_id: id });
    await this.o.cancelBus.publish(id);
    this.o.logger.info('cancel requested', {
      request_id: id,
      service: parsed.data.service_name,
    });
    return 'cancel_requested';
  }

  /** Ends pending requests whose deadline passed; returns how many it ended. */
  async expireOverdue(kind: ServiceKind, limit = 100): Promise<number> {
    const ids = await this.o.queues.overdue(kind, this.now(), limit);
    let ended = 0;
    for (const id of ids) {
      const job = (await this.o.queues.queues[kind].getJob(id)) as InferenceBullJob | undefined;
      const parsed = job ? InferenceJob.safeParse(job.data) : null;
      if (
        !job ||
        !parsed?.success ||
        !(PENDING_STATES as readonly string[]).includes(await stateOf(job))
      ) {
        // Gone, or running: the worker enforces the deadline of what it runs.
        await this.o.queues.forgetDeadline(kind, id);
        continue;
      }
      await this.expire(kind, job, parsed.data);
      ended += 1;
    }
    return ended;
  }

  /** The stored record, remembered for the next read. */
  private async stored(id: string): Promise<StatusRecord | null> {
    const record = await this.o.store.get(id);
    if (record) this.o.cache?.set(record);
    return record;
  }

  private expire(kind: ServiceKind, bull: InferenceBullJob, job: InferenceJob): Promise<Ended> {
    const waited = ((this.now() - job.created_at) / 1000).toFixed(1);
    return this.end(
      kind,
      bull,
      job,
      'timeout',
      `Request timed out after ${waited}s waiting in the queue`,
    );
  }

  /**
   * Claim → store → remove from the queue. A loser gets the status claimed before it and the
   * winner's record, or null while the winner is still writing it.
   */
  private async end(
    kind: ServiceKind,
    bull: InferenceBullJob,
    job: InferenceJob,
    status: Exclude<TerminalStatus, 'completed'>,
    error: string,
  ): Promise<Ended> {
    const claim = await this.o.ledger.claim(kind, job.request_id, status);
    if (!claim.won) {
      return { status: claim.existing, record: await this.stored(job.request_id) };
    }
    // Record first, then remove: a status read never finds neither.
    const stored = await this.o.ledger.store(
      terminalRecord(job, status, { completedAt: this.now(), error }),
    );
    this.o.cache?.set(stored);
    await bull.remove().catch(async () => {
      // A worker took it between our read and the claim: it will see the claim and stop.
      await this.o.cancelBus.publish(job.request_id);
    });
    this.o.logger.info('request ended', {
      request_id: job.request_id,
      service: job.service_name,
      status,
    });
    return { status, record: stored };
  }
}

/** How an attempt to end a request came out. */
interface Ended {
  status: TerminalStatus;
  record: StatusRecord | null;
}

async function stateOf(job: InferenceBullJob): Promise<string> {
  // A job that never started is pending (it may start a moment after our read, which a poll
  // then shows): skip the state lookup, a Lua call, for the common case.
  if (job.processedOn === undefined || job.processedOn === null) return 'waiting';
  return job.getState();
}

function progressOf(p: unknown): { progress?: { done: number; total: number } } {
  if (p && typeof p === 'object' && 'done' in p && 'total' in p) {
    const { done, total } = p as { done: unknown; total: unknown };
    if (typeof done === 'number' && typeof total === 'number') return { progress: { done, total } };
  }
  return {};
}
