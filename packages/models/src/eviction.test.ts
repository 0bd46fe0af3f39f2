import type { EvictionCandidate } from './eviction';
import { largestSize, leastFrequentlyUsed, leastRecentlyUsed } from './eviction';

const entry = (
  id: string,
  fields: Partial<Omit<EvictionCandidate, 'id'>> = {},
): EvictionCandidate => ({
  id,
  sizeMb: 100,
  lastUsed: 0,
  useCount: 1,
  pinned: false,
  loaded: true,
  ...fields,
});

describe('eviction strategies', () => {
  it('when models were used at different times, then LRU picks the one used longest ago', () => {
    const entries = [
      entry('a', { lastUsed: 30 }),
      entry('b', { lastUsed: 10 }),
      entry('c', { lastUsed: 20 }),
    ];
    expect(leastRecentlyUsed(entries)?.id).toBe('b');
  });

  it('when use counts differ, then LFU picks the least used', () => {
    const entries = [
      entry('a', { useCount: 3, lastUsed: 1 }),
      entry('b', { useCount: 1, lastUsed: 9 }),
      entry('c', { useCount: 2, lastUsed: 2 }),
    ];
    expect(leastFrequentlyUsed(entries)?.id).toBe('b');
  });

  it('when LFU counts tie, then the least recently used of them goes', () => {
    const entries = [
      entry('a', { useCount: 1, lastUsed: 8 }),
      entry('b', { useCount: 1, lastUsed: 5 }),
      entry('c', { useCount: 4, lastUsed: 1 }),
    ];
    expect(leastFrequentlyUsed(entries)?.id).toBe('b');
  });

  it('when sizes differ, then largest_size picks the largest; ties go to the least recently used', () => {
    expect(
      largestSize([entry('a', { sizeMb: 10 }), entry('b', { sizeMb: 30 }), entry('c')])?.id,
    ).toBe('c');
    expect(
      largestSize([
        entry('a', { sizeMb: 300, lastUsed: 7 }),
        entry('b', { sizeMb: 300, lastUsed: 3 }),
        entry('c', { sizeMb: 20, lastUsed: 1 }),
      ])?.id,
    ).toBe('b');
  });

  it('when a model is pinned or still loading, then no strategy picks it', () => {
    const entries = [
      entry('pinned', { lastUsed: 0, useCount: 0, sizeMb: 999, pinned: true }),
      entry('loading', { lastUsed: 0, useCount: 0, sizeMb: 999, loaded: false }),
      entry('free', { lastUsed: 50, useCount: 9, sizeMb: 1 }),
    ];
    for (const strategy of [leastRecentlyUsed, leastFrequentlyUsed, largestSize]) {
      expect(strategy(entries)?.id).toBe('free');
    }
  });

  it('when everything is pinned, then there is no victim', () => {
    expect(leastRecentlyUsed([entry('a', { pinned: true })])).toBeUndefined();
    expect(largestSize([])).toBeUndefined();
  });

  it('when every key ties, then the earliest entry (oldest load) goes', () => {
    expect(leastRecentlyUsed([entry('first'), entry('second')])?.id).toBe('first');
  });
});
