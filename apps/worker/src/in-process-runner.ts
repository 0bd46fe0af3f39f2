import type { ModelCacheStats } from '@openad-async/contracts';
import {
  ModelRunError,
  type GenerationRecord,
  type LoadedModel,
  type ModelDefinition,
  type ModelRunner,
  type PredictInput,
  type PropertyRow,
  type RunOptions,
} from '@openad-async/models';

/**
 * Runs models on the calling thread, each loaded once on first use. Kept for models that are
 * cheap and cooperative; it cannot stop a model that ignores its abort signal.
 */
export class InProcessRunner implements ModelRunner {
  private readonly loads = new Map<string, Promise<LoadedModel>>();
  private readonly usage = new Map<string, { loadedAt: number; lastUsed: number; uses: number }>();
  private hits = 0;
  private misses = 0;
  private loadFailures = 0;

  constructor(private readonly defs: readonly ModelDefinition[]) {}

  async start(): Promise<void> {}

  definitions(): readonly ModelDefinition[] {
    return this.defs;
  }

  async run(
    modelId: string,
    input: PredictInput<unknown>,
    options: RunOptions,
  ): Promise<PropertyRow[] | GenerationRecord[]> {
    const def = this.defs.find((d) => d.id === modelId);
    if (!def) throw new ModelRunError('UNKNOWN_MODEL', `No model with id ${modelId}`);
    let load = this.loads.get(modelId);
    if (load) {
      this.hits += 1;
    } else {
      this.misses += 1;
      load = def.load() as Promise<LoadedModel>;
      this.loads.set(modelId, load);
    }
    let model: LoadedModel;
    try {
      model = await load;
    } catch (err) {
      this.loads.delete(modelId);
      this.loadFailures += 1;
      throw new ModelRunError(
        'MODEL_LOAD_FAILED',
        `Model ${modelId} failed to load: ${messageOf(err)}`,
        { cause: err },
      );
    }
    const u = this.usage.get(modelId) ?? { loadedAt: Date.now(), lastUsed: 0, uses: 0 };
    u.lastUsed = Date.now();
    u.uses += 1;
    this.usage.set(modelId, u);
    try {
      return await model.predict(input, {
        signal: options.signal,
        progress: (done, total) => options.onProgress?.(done, total),
      });
    } catch (err) {
      if (options.signal.aborted) throw options.signal.reason;
      throw new ModelRunError('MODEL_FAILED', messageOf(err), { cause: err });
    }
  }

  stats(): ModelCacheStats {
    const models: ModelCacheStats['models'] = {};
    let total = 0;
    for (const [id, u] of this.usage) {
      const size = this.defs.find((d) => d.id === id)?.sizeMb ?? 0;
      total += size;
      models[id] = {
        size_mb: size,
        load_time: new Date(u.loadedAt).toISOString(),
        last_used: new Date(u.lastUsed).toISOString(),
        use_count: u.uses,
        is_loading: false,
      };
    }
    return {
      loaded_models: this.usage.size,
      loading_models: 0,
      total_memory_mb: total,
      max_models: this.defs.length,
      max_memory_mb: null,
      eviction_strategy: 'none',
      hits: this.hits,
      misses: this.misses,
      evictions: 0,
      load_failures: this.loadFailures,
      models,
    };
  }

  async close(): Promise<void> {
    for (const load of this.loads.values()) {
      const model = await load.catch(() => null);
      await model?.unload?.();
    }
    this.loads.clear();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
