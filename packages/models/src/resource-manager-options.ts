import type { Logger } from '@openad-async/telemetry';

import type { EvictionStrategyName } from './eviction';
import type { FreeMemoryProbe } from './memory-probe';

/** What the manager needs to know of a model before loading it. */
export interface ManagedModel {
  readonly id: string;
  /** Declared size, MB: the estimate until a load measures it. */
  readonly sizeMb: number;
}

/** A loaded model as the manager holds it (a model host in the runtime). */
export interface LoadedHandle {
  /** Size measured after load, MB; replaces the declared size when set. */
  readonly measuredSizeMb?: number | null;
  /** Frees the model (ends its thread). Called on eviction and close; may not reject usefully. */
  unload(): Promise<void>;
}

/** A model pinned for one use: it cannot be evicted until `release()`. */
export interface ModelLease<H> {
  readonly modelId: string;
  readonly handle: H;
  /** Unpins; idempotent. Call in `finally`. */
  release(): void;
}

export interface AcquireOptions {
  /** Epoch ms after which waiting for room ends in NO_ROOM; null = wait as long as needed. */
  deadline?: number | null;
  /** Ends any wait (for room or for a load) with `signal.reason`. */
  signal?: AbortSignal;
}

export interface ModelResourceManagerOptions<M extends ManagedModel, H extends LoadedHandle> {
  /** Looks a model up by id; undefined → UNKNOWN_MODEL. */
  resolveModel(modelId: string): M | undefined;
  /** Loads a model; `signal` aborts when the manager closes mid-load. */
  loader(model: M, context: { signal: AbortSignal }): Promise<H>;
  /** Loaded plus loading models at most. @defaultValue 5 */
  maxModels?: number;
  /** Sum of model sizes at most, MB; null = no cap. @defaultValue null */
  maxMemoryMb?: number | null;
  /** Free memory that must remain after a load, MB. @defaultValue 1000 */
  memoryHeadroomMb?: number;
  /** @defaultValue 'least_recently_used' */
  evictionStrategy?: EvictionStrategyName;
  /** Free memory, MB. @defaultValue createFreeMemoryProbe() (cgroup v2 limit, else MemAvailable) */
  freeMemoryMb?: FreeMemoryProbe;
  /** Clock, epoch ms (tests script it). @defaultValue Date.now */
  now?: () => number;
  /**
   * How often an acquire waiting for room re-checks on its own, ms: memory freed by other
   * processes raises no event here. @defaultValue 1000
   */
  roomPollMs?: number;
  /** @defaultValue silentLogger */
  logger?: Logger;
}
