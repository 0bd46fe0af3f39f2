import type { ServiceKind } from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';

import type { RequestTracker } from './request-tracker';

export interface DeadlineReaperOptions {
  tracker: RequestTracker;
  kinds: readonly ServiceKind[];
  /** @defaultValue 1000 */
  intervalMs?: number;
  logger: Logger;
}

/**
 * Ends pending requests past their deadline even when nobody reads their status and no worker
 * runs, so queue lengths and counts stay true. Several reapers may run (api replicas, workers):
 * the terminal claim makes their work idempotent.
 */
export class DeadlineReaper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly o: DeadlineReaperOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => {
        await this.sweep();
      });
    }, this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  async sweep(): Promise<number> {
    let ended = 0;
    for (const kind of this.o.kinds) {
      try {
        ended += await this.o.tracker.expireOverdue(kind);
      } catch (err) {
        this.o.logger.warn('deadline sweep failed', { queue: kind, err });
      }
    }
    return ended;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
