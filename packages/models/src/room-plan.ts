import type { EvictionCandidate, EvictionStrategy } from './eviction';

export interface RoomLimits {
  maxModels: number;
  /** null = no cap on summed sizes. */
  maxMemoryMb: number | null;
  memoryHeadroomMb: number;
}

export interface RoomPlan<C> {
  /** Whether the model fits once `victims` are gone. */
  fits: boolean;
  /** What to evict, in order; empty when it does not fit (nothing is evicted in vain). */
  victims: C[];
  /** Which limits are short, in words for the NO_ROOM message; empty when it fits. */
  shortfall: string[];
}

export const roundMb = (mb: number): number => Math.round(mb * 10) / 10;

export function describeLimits(limits: RoomLimits): string {
  return (
    `max_models=${limits.maxModels}, max_memory_mb=${limits.maxMemoryMb ?? 'none'}, ` +
    `memory_headroom_mb=${limits.memoryHeadroomMb}`
  );
}

/**
 * Decides whether a model of `estimateMb` can be placed among `entries` (every loaded and loading
 * model), evicting by `strategy` until the count, the summed size and the headroom all fit.
 * `freeMb` is free memory as probed plus what evictions still in progress will return; loads in
 * flight have not taken their memory yet, so their sizes are subtracted here. Pure.
 */
export function planRoom<C extends EvictionCandidate>(
  entries: readonly C[],
  estimateMb: number,
  freeMb: number,
  limits: RoomLimits,
  strategy: EvictionStrategy,
): RoomPlan<C> {
  let count = entries.length;
  let memory = 0;
  let free = freeMb;
  for (const entry of entries) {
    memory += entry.sizeMb;
    if (!entry.loaded) free -= entry.sizeMb;
  }
  const shortfall = (): string[] => {
    const why: string[] = [];
    if (count + 1 > limits.maxModels) {
      why.push(`${count} of ${limits.maxModels} model slots taken`);
    }
    if (limits.maxMemoryMb !== null && memory + estimateMb > limits.maxMemoryMb) {
      why.push(`${roundMb(memory)} MB of ${limits.maxMemoryMb} MB memory taken`);
    }
    if (free - estimateMb < limits.memoryHeadroomMb) {
      why.push(
        `${roundMb(free)} MB free would leave less than ${limits.memoryHeadroomMb} MB headroom`,
      );
    }
    return why;
  };
  const candidates = [...entries];
  const victims: C[] = [];
  let why = shortfall();
  while (why.length > 0) {
    const victim = strategy(candidates);
    if (victim === undefined) return { fits: false, victims: [], shortfall: why };
    candidates.splice(candidates.indexOf(victim), 1);
    victims.push(victim);
    count -= 1;
    memory -= victim.sizeMb;
    free += victim.sizeMb;
    why = shortfall();
  }
  return { fits: true, victims, shortfall: [] };
}
