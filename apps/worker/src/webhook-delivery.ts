import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { toIso, toWire, type CallbackOutcome, type StatusRecord } from '@openad-async/contracts';
import {
  CallbackRefusedError,
  WEBHOOK_HEADERS,
  WEBHOOK_QUEUE,
  postWebhook,
  resolveCallbackTarget,
  signWebhook,
  webhookSecretFor,
  type RecordStore,
  type WebhookJobData,
} from '@openad-async/queue';
import type { Logger } from '@openad-async/telemetry';

export interface WebhookDeliveryOptions {
  /** A blocking connection (BullMQ waits on it); not closed here. */
  connection: Redis;
  prefix: string;
  store: RecordStore;
  logger: Logger;
  /** Server secret; null means a delivery cannot be signed and fails at once. */
  secret: string | null;
  /** @defaultValue false */
  allowPrivate: boolean;
  /** Longest one attempt may take, ms. @defaultValue 10000 */
  timeoutMs?: number;
  /** Deliveries in flight at once. @defaultValue 8 */
  concurrency?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** An attempt's result, before it is written into the record. */
type Attempt =
  { ok: true; status: number } | { ok: false; error: string; status?: number; final?: boolean };

/**
 * Delivers callbacks: for each job of the webhook queue, reads the request's stored record,
 * POSTs its status object (signed with the submitting key's secret) to its `callback_url`, and
 * writes the outcome back into the record, so the status shows it. A failed attempt throws,
 * and BullMQ retries it with exponential backoff up to the outbox's attempts; the delivery is
 * a Redis job, so a worker that dies mid-way leaves it to another (at-least-once: a receiver
 * may see a delivery twice, with the same X-OpenAD-Request-Id).
 */
export class WebhookDelivery {
  private worker: Worker<WebhookJobData> | null = null;

  constructor(private readonly o: WebhookDeliveryOptions) {}

  start(): void {
    this.worker = new Worker<WebhookJobData>(WEBHOOK_QUEUE, (job) => this.deliver(job), {
      connection: this.o.connection,
      prefix: this.o.prefix,
      concurrency: this.o.concurrency ?? 8,
    });
    this.worker.on('error', (err) => this.o.logger.warn('webhook worker error', { err }));
  }

  /** Stops taking deliveries and waits for those in flight (each bounded by its timeout). */
  async close(): Promise<void> {
    await this.worker?.close();
    this.worker = null;
  }

  private async deliver(job: Job<WebhookJobData>): Promise<void> {
    const id = job.data.request_id;
    const log = this.o.logger.child({ request_id: id });
    const record = await this.o.store.get(id);
    // Expired meanwhile, or written without a callback: nothing to deliver.
    if (!record?.callback || record.callback.status !== 'pending') return;
    const attempt = job.attemptsMade + 1;
    const last = attempt >= (job.opts.attempts ?? 1);
    const outcome = await this.attempt(record);
    const now = toIso((this.o.now ?? Date.now)());
    const callback: CallbackOutcome = {
      url: record.callback.url,
      attempts: attempt,
      last_attempt_at: now,
      ...(outcome.status === undefined ? {} : { response_status: outcome.status }),
      ...(outcome.ok
        ? { status: 'delivered', delivered_at: now }
        : { status: last || outcome.final ? 'failed' : 'pending', error: outcome.error }),
    };
    await this.o.store.put({ ...record, callback });
    if (outcome.ok) {
      log.info('callback delivered', { attempt, response_status: outcome.status });
      return;
    }
    log.warn('callback attempt failed', {
      attempt,
      final: last || outcome.final,
      error: outcome.error,
    });
    // Throwing hands the retry to BullMQ's backoff; a final failure needs no retry.
    if (!last && !outcome.final) throw new Error(outcome.error);
  }

  private async attempt(record: StatusRecord): Promise<Attempt> {
    const url = record.callback?.url ?? '';
    if (this.o.secret === null) {
      return {
        ok: false,
        final: true,
        error: 'webhooks are not configured on the worker (no secret)',
      };
    }
    let target;
    try {
      // Checked again here, not only at submission: the name may resolve elsewhere by now.
      target = await resolveCallbackTarget(url, { allowPrivate: this.o.allowPrivate });
    } catch (err) {
      const refused = err instanceof CallbackRefusedError;
      return { ok: false, final: refused, error: `callback_url ${messageOf(err)}` };
    }
    // The status object as the status route shows it, without the delivery's own bookkeeping.
    const { callback: _callback, ...wire } = toWire(record);
    const body = JSON.stringify(wire);
    const timestamp = Math.floor((this.o.now ?? Date.now)() / 1000);
    const secret = webhookSecretFor(this.o.secret, record.owner ?? null);
    try {
      const answer = await postWebhook(
        target,
        body,
        {
          [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, body),
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.requestId]: record.request_id,
          [WEBHOOK_HEADERS.delivery]: `${record.request_id}:${(record.callback?.attempts ?? 0) + 1}`,
        },
        this.o.timeoutMs ?? 10000,
      );
      if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status };
      return { ok: false, status: answer.status, error: `receiver answered HTTP ${answer.status}` };
    } catch (err) {
      return { ok: false, error: messageOf(err) };
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
