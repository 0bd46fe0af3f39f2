import type { EvictionCandidate } from './eviction';
import { leastRecentlyUsed } from './eviction';
import { planRoom } from './room-plan';

const entry = (id: string, sizeMb: number, fields: Partial<EvictionCandidate> = {}) => ({
  id,
  sizeMb,
  lastUsed: 0,
  useCount: 1,
  pinned: false,
  loaded: true,
  ...fields,
});

describe('planRoom', () => {
  const limits = { maxModels: 5, maxMemoryMb: null, memoryHeadroomMb: 200 };

  it('when a load is in flight, then its size counts against free memory before it shows', () => {
    const loading = [entry('l', 300, { loaded: false })];
    expect(planRoom([], 600, 1000, limits, leastRecentlyUsed).fits).toBe(true);
    const plan = planRoom(loading, 600, 1000, limits, leastRecentlyUsed);
    expect(plan).toEqual({
      fits: false,
      victims: [],
      shortfall: ['700 MB free would leave less than 200 MB headroom'],
    });
  });

  it('when evicting every candidate would still not be enough, then nothing is evicted', () => {
    const entries = [entry('a', 100), entry('b', 100, { pinned: true })];
    const plan = planRoom(
      entries,
      300,
      10_000,
      { maxModels: 2, maxMemoryMb: 350, memoryHeadroomMb: 0 },
      leastRecentlyUsed,
    );
    expect(plan.fits).toBe(false);
    expect(plan.victims).toEqual([]);
    expect(plan.shortfall).toEqual(['100 MB of 350 MB memory taken']);
  });

  it('when several evictions are needed, then they come in strategy order', () => {
    const entries = [
      entry('a', 100, { lastUsed: 3 }),
      entry('b', 100, { lastUsed: 1 }),
      entry('c', 100, { lastUsed: 2 }),
    ];
    const plan = planRoom(
      entries,
      150,
      10_000,
      { maxModels: 9, maxMemoryMb: 300, memoryHeadroomMb: 0 },
      leastRecentlyUsed,
    );
    expect(plan.victims.map((v) => v.id)).toEqual(['b', 'c']);
  });
});
