import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';

/**
 * Gives the thread's event loop a turn after every `budgetMs` of synchronous work. A model runs
 * in its own worker_thread and the host delivers aborts as messages to that thread: a model that
 * never yields never sees its abort and gets its thread terminated instead.
 */
export class EventLoopYield {
  private last = performance.now();

  constructor(private readonly budgetMs = 20) {}

  async maybeYield(): Promise<void> {
    if (performance.now() - this.last < this.budgetMs) return;
    await setImmediate();
    this.last = performance.now();
  }
}
