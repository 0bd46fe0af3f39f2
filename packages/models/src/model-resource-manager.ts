import type { ModelCacheStats } from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';
import { silentLogger } from '@openad-async/telemetry';

import type { EvictionCandidate, EvictionStrategyName } from './eviction';
import { EVICTION_STRATEGY_BY_NAME } from './eviction';
import type { FreeMemoryProbe } from './memory-probe';
import { createFreeMemoryProbe } from './memory-probe';
import { ModelRunError } from './model-errors';
import type { RoomLimits, RoomPlan } from './room-plan';
import { describeLimits, planRoom, roundMb } from './room-plan';
import type {
  AcquireOptions,
  LoadedHandle,
  ManagedModel,
  ModelLease,
  ModelResourceManagerOptions,
} from './resource-manager-options';
import { abortable, errorMessage } from './signals';

interface Entry<H> {
  readonly id: string;
  state: 'loading' | 'loaded';
  sizeMb: number;
  /** Leases held plus acquires waiting on this entry's load. */
  pins: number;
  useCount: number;
  lastUsed: number;
  /** When the load started, then when it finished. */
  loadTime: number;
  readonly loadStarted: number;
  handle: H | undefined;
  /** Settles after bookkeeping; shared by every acquire of a model while it loads. */
  ready: Promise<H>;
  readonly abort: AbortController;
}

/**
 * Decides which models are resident in one worker process: limits on count, summed size and
 * free-memory headroom; eviction of unpinned models by strategy; one load per model however many
 * acquire it at once; waiting (up to a deadline) when everything resident is in use.
 *
 * All decisions run synchronously between awaits, so accounting is never seen half-updated:
 * a load reserves its slot and estimated size the moment it is planned.
 */
export class ModelResourceManager<
  M extends ManagedModel = ManagedModel,
  H extends LoadedHandle = LoadedHandle,
> {
  private readonly entries = new Map<string, Entry<H>>();
  /** Sizes measured by earlier loads: a better estimate than the declared one for a reload. */
  private readonly measuredSizes = new Map<string, number>();
  private readonly unloads = new Set<Promise<void>>();
  private readonly waiters = new Set<() => void>();
  private unloadingMb = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private loadFailures = 0;
  private closed = false;
  private readonly limits: RoomLimits;
  private readonly strategyName: EvictionStrategyName;
  private readonly freeMemoryMb: FreeMemoryProbe;
  private readonly now: () => number;
  private readonly roomPollMs: number;
  private readonly logger: Logger;

  constructor(private readonly options: ModelResourceManagerOptions<M, H>) {
    this.limits = {
      maxModels: options.maxModels ?? 5,
      maxMemoryMb: options.maxMemoryMb ?? null,
      memoryHeadroomMb: options.memoryHeadroomMb ?? 1000,
    };
    this.strategyName = options.evictionStrategy ?? 'least_recently_used';
    this.freeMemoryMb = options.freeMemoryMb ?? createFreeMemoryProbe();
    this.now = options.now ?? Date.now;
    this.roomPollMs = options.roomPollMs ?? 1000;
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Pins `modelId`, loading it first if needed. Rejects with UNKNOWN_MODEL, NO_ROOM (nothing can
   * be evicted and the deadline passed, or waiting cannot help), MODEL_LOAD_FAILED, or
   * `signal.reason`.
   */
  async acquire(modelId: string, options: AcquireOptions = {}): Promise<ModelLease<H>> {
    const { signal, deadline = null } = options;
    const model = this.options.resolveModel(modelId);
    if (model === undefined) throw new ModelRunError('UNKNOWN_MODEL', `Unknown model "${modelId}"`);
    let counted = false;
    for (;;) {
      this.assertOpen();
      signal?.throwIfAborted();
      const entry = this.entries.get(modelId);
      if (entry?.state === 'loaded') {
        if (!counted) this.hits += 1;
        entry.pins += 1;
        return this.lease(entry);
      }
      if (!counted) this.misses += 1;
      counted = true;
      if (entry !== undefined) return this.joinLoad(entry, signal);
      const estimate = this.estimateMb(model);
      const plan = planRoom(
        this.candidates(),
        estimate,
        this.freeMemoryMb() + this.unloadingMb,
        this.limits,
        EVICTION_STRATEGY_BY_NAME[this.strategyName],
      );
      if (plan.fits) {
        const victims = plan.victims.map((victim) => victim.entry);
        return this.joinLoad(this.startLoad(model, estimate, victims), signal);
      }
      const cannotWait = this.noRoomMessage(model, estimate, plan, deadline);
      if (cannotWait !== null) throw new ModelRunError('NO_ROOM', cannotWait);
      await this.waitForChange(deadline, signal);
    }
  }

  /**
   * Forgets a model whose handle died on its own (thread crashed or was killed), without calling
   * `unload`. A no-op when `handle` is no longer the resident one (a newer load replaced it).
   */
  discard(modelId: string, handle: H): void {
    const entry = this.entries.get(modelId);
    if (entry?.handle !== handle) return;
    this.entries.delete(modelId);
    this.logger.warn('model dropped', { model_id: modelId, in_use: entry.pins });
    this.notify();
  }

  /**
   * The cache in `/async/stats` shape. `hits` counts acquires that found the model loaded;
   * `misses` all others, including acquires that joined a load already in flight; `use_count`
   * counts leases since the model's current load; `load_time` is when the load started while it
   * runs, then when it finished; `total_memory_mb` sums loaded models only.
   */
  stats(): ModelCacheStats {
    const models: ModelCacheStats['models'] = {};
    let loaded = 0;
    let loading = 0;
    let totalMb = 0;
    for (const entry of this.entries.values()) {
      if (entry.state === 'loaded') {
        loaded += 1;
        totalMb += entry.sizeMb;
      } else {
        loading += 1;
      }
      models[entry.id] = {
        size_mb: roundMb(entry.sizeMb),
        load_time: new Date(entry.loadTime).toISOString(),
        last_used: new Date(entry.lastUsed).toISOString(),
        use_count: entry.useCount,
        is_loading: entry.state === 'loading',
      };
    }
    return {
      loaded_models: loaded,
      loading_models: loading,
      total_memory_mb: roundMb(totalMb),
      max_models: this.limits.maxModels,
      max_memory_mb: this.limits.maxMemoryMb,
      eviction_strategy: this.strategyName,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      load_failures: this.loadFailures,
      models,
    };
  }

  /** Ends waits, aborts loads in flight and unloads every model, in use or not. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    const settling: Promise<unknown>[] = [...this.unloads];
    for (const entry of this.entries.values()) {
      if (entry.state === 'loading') {
        entry.abort.abort(new Error('model manager closed'));
        // The load's own settlement unloads a handle that arrives anyway.
        settling.push(entry.ready.catch(() => undefined));
      } else {
        settling.push(this.unload(entry, 'close'));
      }
    }
    this.entries.clear();
    await Promise.all(settling);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('ModelResourceManager is closed');
  }

  /** Snapshots of every entry, in load order, for an eviction strategy to choose from. */
  private candidates(): (EvictionCandidate & { entry: Entry<H> })[] {
    return [...this.entries.values()].map((entry) => ({
      id: entry.id,
      sizeMb: entry.sizeMb,
      lastUsed: entry.lastUsed,
      useCount: entry.useCount,
      pinned: entry.pins > 0,
      loaded: entry.state === 'loaded',
      entry,
    }));
  }

  private estimateMb(model: M): number {
    return this.measuredSizes.get(model.id) ?? model.sizeMb;
  }

  private lease(entry: Entry<H>): ModelLease<H> {
    const handle = entry.handle;
    if (handle === undefined) throw new Error(`model "${entry.id}" has no handle`);
    entry.useCount += 1;
    entry.lastUsed = this.now();
    let released = false;
    return {
      modelId: entry.id,
      handle,
      release: () => {
        if (released) return;
        released = true;
        entry.pins -= 1;
        entry.lastUsed = this.now();
        this.notify();
      },
    };
  }

  /** Waits (pinned, so nothing evicts it) for an entry's load, then leases it. */
  private async joinLoad(entry: Entry<H>, signal: AbortSignal | undefined): Promise<ModelLease<H>> {
    if (entry.state === 'loading') entry.pins += 1;
    try {
      await abortable(entry.ready, signal);
    } catch (error) {
      entry.pins -= 1;
      this.notify();
      throw error;
    }
    return this.lease(entry);
  }

  /** Null when waiting for a release may help; otherwise why the model cannot be placed now. */
  private noRoomMessage(
    model: M,
    estimateMb: number,
    plan: RoomPlan<unknown>,
    deadline: number | null,
  ): string | null {
    const inUse = [...this.entries.values()].filter((e) => e.pins > 0 || e.state === 'loading');
    const cap = this.limits.maxMemoryMb;
    const never = cap !== null && estimateMb > cap;
    const nothingToWaitFor = inUse.length === 0 && this.unloads.size === 0;
    const pastDeadline = deadline !== null && this.now() >= deadline;
    if (!never && !nothingToWaitFor && !pastDeadline) return null;
    const held = inUse.map((e) => `${e.id} (${roundMb(e.sizeMb)} MB)`).join(', ') || 'none';
    const when = never
      ? 'it is larger than max_memory_mb'
      : nothingToWaitFor
        ? 'no model in use could free room'
        : 'still no room at the deadline';
    return (
      `No room to load model "${model.id}" (${roundMb(estimateMb)} MB): ${when}; ` +
      `${plan.shortfall.join('; ')}; limits ${describeLimits(this.limits)}; in use: ${held}`
    );
  }

  private startLoad(model: M, estimateMb: number, victims: Entry<H>[]): Entry<H> {
    const evicted = victims.map((victim) => {
      this.entries.delete(victim.id);
      this.evictions += 1;
      this.logger.info('model evicted', {
        model_id: victim.id,
        size_mb: roundMb(victim.sizeMb),
        strategy: this.strategyName,
        for_model: model.id,
      });
      return this.unload(victim, 'eviction');
    });
    const started = this.now();
    const abort = new AbortController();
    // Evicted threads exit before the new one allocates, so the headroom decision holds.
    const ready = Promise.all(evicted)
      .then(() => this.options.loader(model, { signal: abort.signal }))
      .then(
        (handle) => this.onLoaded(entry, handle),
        (error: unknown) => this.onLoadFailed(entry, error),
      );
    ready.catch(() => undefined); // every acquirer may have gone; the failure is recorded already
    const entry: Entry<H> = {
      id: model.id,
      state: 'loading',
      sizeMb: estimateMb,
      pins: 0,
      useCount: 0,
      lastUsed: started,
      loadTime: started,
      loadStarted: started,
      handle: undefined,
      ready,
      abort,
    };
    this.entries.set(model.id, entry);
    this.logger.info('model loading', { model_id: model.id, size_mb: roundMb(estimateMb) });
    return entry;
  }

  private onLoaded(entry: Entry<H>, handle: H): H | Promise<never> {
    if (this.entries.get(entry.id) !== entry) {
      // Closed while loading (a loader that ignored the abort): nobody can use it. `ready`
      // settles only after the unload, so close() awaits it.
      return this.trackUnload(handle.unload(), 0, entry.id).then(() => {
        throw new Error('ModelResourceManager is closed');
      });
    }
    entry.state = 'loaded';
    entry.handle = handle;
    entry.loadTime = this.now();
    const measured = handle.measuredSizeMb;
    if (measured !== undefined && measured !== null && Number.isFinite(measured)) {
      entry.sizeMb = measured;
      this.measuredSizes.set(entry.id, measured);
    }
    this.logger.info('model loaded', {
      model_id: entry.id,
      size_mb: roundMb(entry.sizeMb),
      load_ms: entry.loadTime - entry.loadStarted,
    });
    this.trimToMemoryLimit();
    this.notify();
    return handle;
  }

  private onLoadFailed(entry: Entry<H>, error: unknown): never {
    if (this.closed) throw new Error('ModelResourceManager is closed'); // aborted, not failed
    if (this.entries.get(entry.id) === entry) this.entries.delete(entry.id);
    this.loadFailures += 1;
    this.notify();
    this.logger.error('model load failed', { model_id: entry.id, err: error });
    if (error instanceof ModelRunError && error.code === 'MODEL_LOAD_FAILED') throw error;
    throw new ModelRunError(
      'MODEL_LOAD_FAILED',
      `Model "${entry.id}" failed to load: ${errorMessage(error)}`,
      { cause: error },
    );
  }

  /** A measured size above the declared one may push the total over the cap: evict to get back. */
  private trimToMemoryLimit(): void {
    const cap = this.limits.maxMemoryMb;
    if (cap === null) return;
    const strategy = EVICTION_STRATEGY_BY_NAME[this.strategyName];
    let memory = 0;
    for (const entry of this.entries.values()) memory += entry.sizeMb;
    while (memory > cap) {
      const victim = strategy(this.candidates())?.entry;
      if (victim === undefined) return;
      this.entries.delete(victim.id);
      this.evictions += 1;
      memory -= victim.sizeMb;
      this.logger.info('model evicted', {
        model_id: victim.id,
        size_mb: roundMb(victim.sizeMb),
        strategy: this.strategyName,
        reason: 'measured sizes exceed max_memory_mb',
      });
      void this.unload(victim, 'eviction');
    }
  }

  private unload(entry: Entry<H>, why: 'eviction' | 'close'): Promise<void> {
    if (entry.handle === undefined) return Promise.resolve();
    return this.trackUnload(entry.handle.unload(), entry.sizeMb, entry.id, why);
  }

  private trackUnload(
    done: Promise<void>,
    sizeMb: number,
    modelId: string,
    why = 'close',
  ): Promise<void> {
    this.unloadingMb += sizeMb;
    const tracked = done
      .catch((error: unknown) =>
        this.logger.warn('model unload failed', { model_id: modelId, why, err: error }),
      )
      .finally(() => {
        this.unloadingMb -= sizeMb;
        this.unloads.delete(tracked);
        this.notify();
      });
    this.unloads.add(tracked);
    return tracked;
  }

  /** Wakes every acquire waiting for room; each re-plans in arrival order. */
  private notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next state change, a poll tick or the deadline; rejects on abort. */
  private waitForChange(deadline: number | null, signal: AbortSignal | undefined): Promise<void> {
    const delay =
      deadline === null ? this.roomPollMs : Math.min(this.roomPollMs, deadline - this.now());
    let wake: () => void = () => undefined;
    const changed = new Promise<void>((resolve) => {
      wake = resolve;
      this.waiters.add(resolve);
    });
    const timer = setTimeout(wake, Math.max(0, delay));
    return abortable(changed, signal).finally(() => {
      clearTimeout(timer);
      this.waiters.delete(wake);
    });
  }
}
