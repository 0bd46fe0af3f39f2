import { RetryLaterError, type ServiceKind } from '@openad-async/contracts';

import { QueueCap } from './queue-cap';

/** A queue whose pending count the test sets, reads it counts, and a clock the test moves. */
function setup(max: number, refreshMs = 100) {
  const pending: Record<ServiceKind, number> = { property: 0, generation: 0 };
  const reads: ServiceKind[] = [];
  let held: Array<() => void> | null = null;
  const clock = { ms: 1000 };
  const cap = new QueueCap({
    max,
    refreshMs,
    now: () => clock.ms,
    count: async (kind) => {
      reads.push(kind);
      // Held reads answer what the queue holds when released, like a slow round trip.
      if (held) await new Promise<void>((resolve) => held!.push(resolve));
      return pending[kind];
    },
  });
  /** Admits one submit that lands in the queue (the fake's pending count) when it succeeds. */
  const submit = (kind: ServiceKind = 'property') =>
    cap.enqueue(kind, async () => {
      pending[kind] += 1;
      return 'queued';
    });
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (err: unknown) => {
        if (err instanceof RetryLaterError && err.code === 'QUEUE_FULL') return 'full';
        throw err;
      },
    );
  const hold = () => (held = []);
  const release = () => {
    const waiting = held ?? [];
    held = null;
    for (const resolve of waiting) resolve();
  };
  return { cap, pending, reads, clock, submit, outcome, hold, release };
}

describe('QueueCap', () => {
  it('when the first submit arrives, then it reads the count; later ones within the refresh interval and below the cap do not', async () => {
    const t = setup(10);
    for (let i = 0; i < 5; i += 1) expect(await t.outcome(t.submit())).toBe('accepted');
    expect(t.reads).toEqual(['property']);
    expect(t.pending.property).toBe(5);
  });

  it('when the count is older than the refresh interval, then the next submit reads it again', async () => {
    const t = setup(10);
    await t.submit();
    t.clock.ms += 99;
    await t.submit();
    expect(t.reads).toHaveLength(1);
    t.clock.ms += 1;
    await t.submit();
    expect(t.reads).toHaveLength(2);
  });

  it('when the estimate reaches the cap, then the count is read again and QUEUE_FULL comes only from that fresh count', async () => {
    const t = setup(3);
    for (let i = 0; i < 3; i += 1) await t.submit();
    expect(t.reads).toHaveLength(1);
    // Workers took two: the estimate (3) says full, the fresh count (1) says there is room.
    t.pending.property -= 2;
    expect(await t.outcome(t.submit())).toBe('accepted');
    expect(t.reads).toHaveLength(2);
    expect(await t.outcome(t.submit())).toBe('accepted');
    const full = await t.submit().catch((err: unknown) => err);
    expect(full).toBeInstanceOf(RetryLaterError);
    expect(full).toMatchObject({
      code: 'QUEUE_FULL',
      status: 503,
      retryAfterSeconds: 5,
      context: { queue: 'property', max_queue_size: 3 },
    });
    expect(t.reads).toHaveLength(3);
    expect(t.pending.property).toBe(3);
  });

  it('when full, then every further submit reads again (a rejection is never cached)', async () => {
    const t = setup(1);
    await t.submit();
    expect(await t.outcome(t.submit())).toBe('full');
    expect(await t.outcome(t.submit())).toBe('full');
    expect(t.reads).toHaveLength(3);
    t.pending.property = 0;
    expect(await t.outcome(t.submit())).toBe('accepted');
  });

  it('when another replica filled the queue, then this one sees it at the next refresh', async () => {
    const t = setup(5);
    await t.submit();
    t.pending.property = 5; // other replicas' submits
    // Within the interval the estimate (1 + 1) does not know: the documented overshoot.
    expect(await t.outcome(t.submit())).toBe('accepted');
    t.clock.ms += 100;
    expect(await t.outcome(t.submit())).toBe('full');
  });

  it('when submits arrive while a read is in flight, then they share it and are decided in turn, so together they never pass the cap', async () => {
    const t = setup(3);
    t.hold();
    const outcomes = Promise.all(Array.from({ length: 5 }, () => t.outcome(t.submit())));
    await Promise.resolve();
    t.release();
    expect(await outcomes).toEqual(['accepted', 'accepted', 'accepted', 'full', 'full']);
    expect(t.reads).toHaveLength(1);
    expect(t.pending.property).toBe(3);
  });

  it('when a submit is accepted while its enqueue is still in flight during a read, then it is still counted after the read', async () => {
    const t = setup(2);
    await t.submit(); // read (0), then accepted: pending 1
    // An enqueue that has been accepted but has not reached the queue yet.
    let land: () => void = () => undefined;
    const slow = t.cap.enqueue('property', () => new Promise<void>((r) => (land = r)));
    t.clock.ms += 100;
    // The fresh count (1) misses the slow one; counting it makes the estimate 2: full.
    expect(await t.outcome(t.submit())).toBe('full');
    land();
    await slow;
  });

  it('when an enqueue fails, then it is taken back from the estimate', async () => {
    const t = setup(2);
    await t.submit();
    await expect(
      t.cap.enqueue('property', async () => {
        throw new Error('redis down');
      }),
    ).rejects.toThrow('redis down');
    // Estimate 1, not 2: accepted without another read.
    expect(await t.outcome(t.submit())).toBe('accepted');
    expect(t.reads).toHaveLength(1);
  });

  it('when the count cannot be read, then the submits waiting on it fail with that error and the next one reads again', async () => {
    let fail = true;
    const reads: number[] = [];
    const cap = new QueueCap({
      max: 5,
      now: () => 0,
      count: async () => {
        reads.push(1);
        if (fail) throw new Error('redis down');
        return 0;
      },
    });
    const run = () => cap.enqueue('property', async () => 'queued');
    await expect(Promise.all([run(), run()])).rejects.toThrow('redis down');
    expect(reads).toHaveLength(1);
    fail = false;
    await expect(run()).resolves.toBe('queued');
    expect(reads).toHaveLength(2);
  });

  it('when both queues are used, then each has its own count and estimate', async () => {
    const t = setup(1);
    await t.submit('property');
    expect(await t.outcome(t.submit('generation'))).toBe('accepted');
    expect(await t.outcome(t.submit('property'))).toBe('full');
    expect(t.reads).toEqual(['property', 'generation', 'property']);
  });

  it('when the cap is 0, then every submit is refused', async () => {
    const t = setup(0);
    expect(await t.outcome(t.submit())).toBe('full');
    expect(t.pending.property).toBe(0);
  });
});
