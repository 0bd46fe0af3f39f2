/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Delays that grow by `factor` up to `maxMs`, with jitter so that many waiting clients do not
 * poll in lockstep.
 */
export class Backoff {
  private current: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly factor = 1.5,
    private readonly random: () => number = Math.random,
  ) {
    this.current = initialMs;
  }

  next(): number {
    const base = this.current;
    this.current = Math.min(this.maxMs, this.current * this.factor);
    // ±20 %: enough to spread clients, small enough to keep the schedule predictable.
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  reset(): void {
    this.current = this.initialMs;
  }
}
