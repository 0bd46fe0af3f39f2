import type { PredictContext } from '@openad-async/models';

import { outcomeOf, propertyRows } from './property-batch';

function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Stands in for synchronous model work (RDKit blocks its thread the same way).
  }
}

describe('propertyRows', () => {
  it('when evaluations throw or err, then only those rows carry null and the error', async () => {
    const ctx: PredictContext = { signal: new AbortController().signal, progress: () => {} };
    const rows = await propertyRows(['a', 'b'], ['p', 'q'], ctx, (s) =>
      s === 'a'
        ? [outcomeOf(() => 1), outcomeOf(() => 2)]
        : [
            outcomeOf(() => {
              throw new Error('boom');
            }),
            { error: 'bad' },
          ],
    );
    expect(rows).toEqual([
      { subject: 'a', property: 'p', result: 1 },
      { subject: 'b', property: 'p', result: null, error: 'boom' },
      { subject: 'a', property: 'q', result: 2 },
      { subject: 'b', property: 'q', result: null, error: 'bad' },
    ]);
  });

  it('when an abort arrives from the event loop during a long synchronous batch, then the batch stops', async () => {
    const controller = new AbortController();
    const ctx: PredictContext = { signal: controller.signal, progress: () => {} };
    let evaluated = 0;
    setTimeout(() => controller.abort(new Error('canceled')), 30);
    await expect(
      propertyRows(Array.from({ length: 200 }, String), ['p'], ctx, () => {
        evaluated++;
        busy(5);
        return [{ result: 0 }];
      }),
    ).rejects.toThrow('canceled');
    expect(evaluated).toBeLessThan(50);
  });
});
