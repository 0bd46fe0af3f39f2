/** How a worker picks which unpinned model to unload when it needs room. */
export const EVICTION_STRATEGIES = [
  'least_recently_used',
  'least_frequently_used',
  'largest_size',
] as const;
export type EvictionStrategyName = (typeof EVICTION_STRATEGIES)[number];
