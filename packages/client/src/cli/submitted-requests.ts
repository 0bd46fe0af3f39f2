import type { OpenadClient } from '../openad-client';

/**
 * The requests a command submitted and has not seen finish: on Ctrl-C or a fatal error they
 * are canceled, so an interrupted run leaves no work behind.
 */
export class SubmittedRequests {
  private readonly open = new Set<string>();

  constructor(private readonly client: OpenadClient) {}

  add(id: string): void {
    this.open.add(id);
  }

  finished(id: string): void {
    this.open.delete(id);
  }

  get size(): number {
    return this.open.size;
  }

  /** Cancels every unfinished request, within `timeoutMs` in all; returns how many it stopped. */
  async cancelUnfinished(timeoutMs = 10000): Promise<number> {
    const ids = [...this.open];
    this.open.clear();
    const limit = AbortSignal.timeout(timeoutMs);
    const outcomes = await Promise.allSettled(ids.map((id) => this.client.cancel(id, limit)));
    // A request that finished meanwhile (409) or expired (404) needed no stopping.
    return outcomes.filter((o) => o.status === 'fulfilled').length;
  }
}
