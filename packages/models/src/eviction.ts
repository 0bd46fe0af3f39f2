import { EVICTION_STRATEGIES, type EvictionStrategyName } from '@openad-async/contracts';

/** The names `OPENAD_ASYNC_EVICTION_STRATEGY` resolves to. */
export const EVICTION_STRATEGY_NAMES = EVICTION_STRATEGIES;
export type { EvictionStrategyName };

/** What a strategy sees of one cache entry. */
export interface EvictionCandidate {
  readonly id: string;
  /** Current size estimate (declared, then measured), MB. */
  readonly sizeMb: number;
  /** Epoch ms of the last acquire or release. */
  readonly lastUsed: number;
  /** Leases granted since the model was loaded. */
  readonly useCount: number;
  /** Held by at least one lease (or awaited by a pending acquire): never a victim. */
  readonly pinned: boolean;
  /** False while loading: a load in flight is never a victim. */
  readonly loaded: boolean;
}

/**
 * Chooses the entry to evict among the unpinned, loaded ones, or `undefined` when none may go.
 * Pure: equal inputs give the same victim. Remaining ties go to the earliest entry in the list,
 * which the manager keeps in load order (oldest first).
 */
export type EvictionStrategy = <C extends EvictionCandidate>(
  entries: readonly C[],
) => C | undefined;

type Compare = (a: EvictionCandidate, b: EvictionCandidate) => number;

const byLastUsed: Compare = (a, b) => a.lastUsed - b.lastUsed;
const byUseCount: Compare = (a, b) => a.useCount - b.useCount;
const bySizeDescending: Compare = (a, b) => b.sizeMb - a.sizeMb;

function then(...compares: Compare[]): Compare {
  return (a, b) => {
    for (const compare of compares) {
      const order = compare(a, b);
      if (order !== 0) return order;
    }
    return 0;
  };
}

function pickFirst(compare: Compare): EvictionStrategy {
  return (entries) => {
    let victim: (typeof entries)[number] | undefined;
    for (const entry of entries) {
      if (entry.pinned || !entry.loaded) continue;
      // Strictly less: on a full tie the earlier (older) entry stays the victim.
      if (victim === undefined || compare(entry, victim) < 0) victim = entry;
    }
    return victim;
  };
}

/** Evicts the entry used longest ago. */
export const leastRecentlyUsed: EvictionStrategy = pickFirst(byLastUsed);

/** Evicts the entry used the fewest times; ties go to the least recently used. */
export const leastFrequentlyUsed: EvictionStrategy = pickFirst(then(byUseCount, byLastUsed));

/** Evicts the largest entry (frees the most with one eviction); ties go to the least recently used. */
export const largestSize: EvictionStrategy = pickFirst(then(bySizeDescending, byLastUsed));

/** The strategy for each name. */
export const EVICTION_STRATEGY_BY_NAME: Readonly<Record<EvictionStrategyName, EvictionStrategy>> = {
  least_recently_used: leastRecentlyUsed,
  least_frequently_used: leastFrequentlyUsed,
  largest_size: largestSize,
};
