import { WaitingError, type Job } from 'bullmq';
import {
  InferenceJob,
  formatSeconds,
  toIso,
  type ServiceKind,
  type StatusRecord,
  type TerminalStatus,
} from '@openad-async/contracts';
import type { ModelRegistry } from '@openad-async/catalog';
import type { ModelRunner } from '@openad-async/models';
import {
  defaultError,
  terminalRecord,
  type ClaimResult,
  type RecordStore,
  type StagedRecord,
  type TerminalLedger,
} from '@openad-async/queue';
import type { Logger } from '@openad-async/telemetry';

import { retryForever } from './store-retry';

export interface ProcessorDeps {
  kind: ServiceKind;
  ledger: TerminalLedger;
  store: RecordStore;
  runner: ModelRunner;
  registry: ModelRegistry;
  logger: Logger;
  /**
   * Aborted when the worker shuts down past its grace period: a job still running goes back to
   * waiting for another worker instead of ending here.
   */
  handBack?: AbortSignal;
  /** Progress writes to Redis at most this often. @defaultValue 250 */
  progressIntervalMs?: number;
  now?: () => number;
  /** Told when a job starts running and when this worker ends it (metrics). @defaultValue none */
  observer?: JobObserver;
}

/** Timings of the jobs this worker runs, for metrics; implementations must not throw. */
export interface JobObserver {
  /** A job starts its model run, `waitedMs` after it was submitted. */
  started(job: InferenceJob, waitedMs: number): void;
  /** This worker ended a job; `processingMs` is null when it ended without running. */
  ended(job: InferenceJob, status: TerminalStatus, processingMs: number | null): void;
}

type Ending = { status: TerminalStatus; result?: unknown; error?: string };

/**
 * The life of one job on a worker: deadline check, model run, terminal claim, record stored,
 * and only then return (BullMQ removes the job), so a status read never falls in a gap.
 */
export function createProcessor(deps: ProcessorDeps) {
  const now = deps.now ?? Date.now;

  return async function process(bull: Job, token?: string, signal?: AbortSignal): Promise<void> {
    const id = String(bull.id);
    const parsed = InferenceJob.safeParse(bull.data);
    if (!parsed.success) {
      await endUnreadable(
        bull,
        id,
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
      return;
    }
    const job = parsed.data;
    const log = deps.logger.child({ request_id: id, service: job.service_name, queue: deps.kind });
    const startedAt = bull.processedOn ?? now();
    let running = false;

    const finish = async (ending: Ending, claimFirst = true): Promise<void> => {
      const record = terminalRecord(job, ending.status, {
        startedAt,
        completedAt: now(),
        ...ending,
      });
      // The store's slow part (the fsync) runs while the claim is in flight; only the winner
      // makes the record readable, so a loser's bytes never become a record.
      const staging = claimFirst ? stage(record, log) : null;
      if (claimFirst) {
        const claim = await claimPatiently(id, ending.status, log);
        if (!claim.won) {
          await (await staging)?.discard();
          // Someone else ended it (a cancel or timeout at the api); make sure its record exists.
          await ensureRecord(job, claim.existing, startedAt);
          log.info('request already ended elsewhere', { status: claim.existing });
          return;
        }
      }
      let staged = (await staging) ?? undefined;
      await retryForever(
        () => {
          // A failed commit left nothing behind: later tries write the record afresh.
          const once = staged;
          staged = undefined;
          return deps.ledger.store(record, once);
        },
        { logger: log, context: { request_id: id } },
      );
      log.info('request ended', { status: ending.status, processing_ms: now() - startedAt });
      deps.observer?.ended(job, ending.status, running ? now() - startedAt : null);
    };

    // A Redis blip here must not fail the job (BullMQ would end it `failed`): wait it out.
    const claimed = await retryForever(() => deps.ledger.claimed(deps.kind, id), {
      logger: log,
      context: { request_id: id },
      what: 'terminal claim read',
    });
    if (claimed) {
      const stored = await deps.store.get(id);
      if (stored) return;
      if (claimed !== 'completed') {
        await ensureRecord(job, claimed, startedAt);
        return;
      }
      // Completed was claimed but the record never landed (the worker died between the two):
      // run it again and store the record without claiming twice.
    }

    if (job.deadline !== null && job.deadline <= now()) {
      const waited = ((now() - job.created_at) / 1000).toFixed(1);
      await finish(
        { status: 'timeout', error: `Request timed out after ${waited}s waiting in the queue` },
        !claimed,
      );
      return;
    }

    if (deps.handBack?.aborted) return handBack(bull, token, log);
    log.info('request started', { priority: job.priority });
    running = true;
    deps.observer?.started(job, startedAt - job.created_at);
    const abort = new AbortController();
    const onHandBack = () => abort.abort('handback');
    deps.handBack?.addEventListener('abort', onHandBack, { once: true });
    const onCancel = () => abort.abort(signal?.reason === 'timeout' ? 'timeout' : 'canceled');
    signal?.addEventListener('abort', onCancel, { once: true });
    const deadlineTimer =
      job.deadline === null ? null : setTimeout(() => abort.abort('timeout'), job.deadline - now());
    const progress = progressWriter(bull, deps.progressIntervalMs ?? 250);
    let ending: Ending;
    try {
      const { model, parameters, propertyType } = deps.registry.resolve({
        service_type: job.service_type,
        service_name: job.service_name,
        property_type: job.property_type,
        parameters: job.parameters,
      });
      const result = await untilAborted(
        deps.runner.run(
          model.id,
          {
            property_type: propertyType,
            subjects: job.subjects,
            parameters,
            ...(job.sample_size === undefined ? {} : { sample_size: job.sample_size }),
          },
          { signal: abort.signal, onProgress: progress.report, deadline: job.deadline },
        ),
        abort.signal,
      );
      ending = { status: 'completed', result };
    } catch (err) {
      if (abort.signal.aborted) {
        const timedOut = abort.signal.reason === 'timeout';
        ending = timedOut
          ? {
              status: 'timeout',
              error: `Request timed out after ${formatSeconds(now() - job.created_at)} (processing for ${formatSeconds(now() - startedAt)})`,
            }
          : { status: 'canceled', error: 'Request was canceled while processing' };
      } else {
        ending = { status: 'failed', error: messageOf(err) };
        log.warn('request failed', { err });
      }
    } finally {
      if (deadlineTimer) clearTimeout(deadlineTimer);
      signal?.removeEventListener('abort', onCancel);
      deps.handBack?.removeEventListener('abort', onHandBack);
      await progress.flush();
    }
    // Whatever the run came to, it was cut short for shutdown: another worker runs it again.
    if (deps.handBack?.aborted) return handBack(bull, token, log);
    await finish(ending, !claimed);
  };

  /**
   * The terminal claim, waiting out a Redis outage as the record write does: if the claim threw
   * instead, BullMQ would end the job `failed` and a finished model's result would be lost.
   * An attempt that failed may still have run in Redis (the reply lost with the connection), so
   * a later attempt finding a claim of the same status treats it as its own; if another process
   * made that claim, it ended the request the same way, and the count is still one.
   */
  async function claimPatiently(
    id: string,
    status: TerminalStatus,
    log: Logger,
  ): Promise<ClaimResult> {
    let unsure = false;
    return retryForever(
      async () => {
        try {
          const claim = await deps.ledger.claim(deps.kind, id, status);
          return !claim.won && unsure && claim.existing === status ? { won: true } : claim;
        } catch (err) {
          unsure = true;
          throw err;
        }
      },
      { logger: log, context: { request_id: id }, what: 'terminal claim' },
    );
  }

  /** Null when the store cannot stage, or staging failed: the record is then put after the claim. */
  function stage(record: StatusRecord, log: Logger): Promise<StagedRecord | null> | null {
    if (!deps.store.stage) return null;
    return deps.store.stage(record).catch((err: unknown) => {
      log.warn('staging the record failed; it is written after the claim', { err });
      return null;
    });
  }

  async function ensureRecord(
    job: InferenceJob,
    status: TerminalStatus,
    startedAt: number,
  ): Promise<void> {
    if (status === 'completed') return; // only the worker that completed it has the result
    const stored = await deps.store.get(job.request_id);
    if (stored) return;
    const record = terminalRecord(job, status, {
      startedAt,
      completedAt: now(),
      error: defaultError(status),
    });
    await retryForever(() => deps.ledger.store(record), {
      logger: deps.logger,
      context: { request_id: job.request_id },
    });
  }

  /** A payload no schema accepts still ends in a readable `failed`, never silence. */
  async function endUnreadable(bull: Job, id: string, problem: string): Promise<void> {
    deps.logger.error('job payload invalid', { request_id: id, problem });
    const claim = await deps.ledger.claim(deps.kind, id, 'failed');
    if (!claim.won) return;
    const at = now();
    const record: StatusRecord = {
      request_id: id,
      status: 'failed',
      created_at: toIso(bull.timestamp),
      completed_at: toIso(at),
      elapsed_time: formatSeconds(at - bull.timestamp),
      error: `Invalid job payload: ${problem}`,
    };
    await retryForever(() => deps.ledger.store(record), {
      logger: deps.logger,
      context: { request_id: id },
    });
  }
}

/**
 * Puts a job back in its queue (its priority kept) for another worker and ends this run without
 * an ending; WaitingError tells BullMQ the job was moved, not failed. If the move fails, the job
 * keeps its lock until this process is gone, then the stalled-job check hands it back.
 */
async function handBack(bull: Job, token: string | undefined, log: Logger): Promise<never> {
  try {
    if (token !== undefined) await bull.moveToWait(token);
    log.info('request handed back on shutdown');
  } catch (err) {
    log.warn('hand back failed; the job runs again elsewhere once its lock lapses', { err });
  }
  throw new WaitingError();
}

/**
 * Rejects as soon as the signal aborts, even if the model keeps going: the request ends on
 * time, and the model layer is responsible for stopping (or killing) what it runs.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function progressWriter(bull: Job, intervalMs: number) {
  let last = 0;
  let pending: { done: number; total: number } | null = null;
  let writing: Promise<unknown> = Promise.resolve();
  const write = (p: { done: number; total: number }) => {
    last = Date.now();
    pending = null;
    writing = writing.then(() => bull.updateProgress(p)).catch(() => undefined);
  };
  return {
    report(done: number, total: number) {
      pending = { done, total };
      if (Date.now() - last >= intervalMs) write(pending);
    },
    async flush() {
      if (pending) write(pending);
      await writing;
    },
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
