import type { ModelCacheStats } from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';

import type { EvictionStrategyName } from './eviction';
import type { FreeMemoryProbe } from './memory-probe';
import type { ModelDefinition, PredictInput } from './model-definition';
import type { ModelOutput } from './model-host';
import { ModelHost } from './model-host';
import { ModelResourceManager } from './model-resource-manager';
import type { ModelRunner, RunOptions } from './model-runner';
import { loadModelModules } from './plugins';

export interface ModelRuntimeOptions {
  /** Model modules: paths (relative to `cwd`) or package names; see `loadModelModules`. */
  modules: readonly string[];
  /** @defaultValue 5 */
  maxModels?: number;
  /** null = no cap. @defaultValue null */
  maxMemoryMb?: number | null;
  /** @defaultValue 1000 */
  memoryHeadroomMb?: number;
  /** @defaultValue 'least_recently_used' */
  evictionStrategy?: EvictionStrategyName;
  logger: Logger;
  /** Time an aborted run has to stop before its thread is terminated, ms. @defaultValue 1500 */
  abortGraceMs?: number;
  /**
   * V8 old-generation cap of each model thread, MB; past it the thread dies and its runs fail
   * with MODEL_CRASHED. null = Node's default. @defaultValue maxMemoryMb (one model may not
   * exceed the whole budget), else null
   */
  threadMaxOldGenerationMb?: number | null;
  /** Free-memory probe for the headroom rule. @defaultValue createFreeMemoryProbe() */
  freeMemoryMb?: FreeMemoryProbe;
  /** Base of relative module paths. @defaultValue process.cwd() */
  cwd?: string;
  /**
   * Called after each successful model load with its duration in seconds (host thread start to
   * model ready), e.g. for a load-time histogram. Must not throw. @defaultValue none
   */
  onLoad?(modelId: string, seconds: number): void;
}

interface RegisteredModel {
  readonly id: string;
  readonly sizeMb: number;
  readonly modulePath: string;
  readonly definition: ModelDefinition;
}

/**
 * The worker's model layer: definitions read from model modules in the main thread, each model
 * loaded into its own host thread on first use, and residency managed by a ModelResourceManager.
 * Owns every host: `close()` ends them all.
 */
export class ModelRuntime implements ModelRunner {
  private readonly models = new Map<string, RegisteredModel>();
  private readonly hosts = new Set<ModelHost>();
  private readonly manager: ModelResourceManager<RegisteredModel, ModelHost>;
  private started = false;
  private closed = false;

  constructor(private readonly options: ModelRuntimeOptions) {
    this.manager = new ModelResourceManager<RegisteredModel, ModelHost>({
      resolveModel: (id) => this.models.get(id),
      loader: (model, { signal }) => this.startHost(model, signal),
      maxModels: options.maxModels,
      maxMemoryMb: options.maxMemoryMb,
      memoryHeadroomMb: options.memoryHeadroomMb,
      evictionStrategy: options.evictionStrategy,
      freeMemoryMb: options.freeMemoryMb,
      logger: options.logger,
    });
  }

  /** Reads and validates every module's definitions; throws naming a module that fails. */
  async start(): Promise<void> {
    if (this.started) return;
    const modules = await loadModelModules(this.options.modules, { cwd: this.options.cwd });
    for (const { modulePath, definitions } of modules) {
      for (const definition of definitions) {
        this.models.set(definition.id, {
          id: definition.id,
          sizeMb: definition.sizeMb,
          modulePath,
          definition,
        });
      }
    }
    this.started = true;
    this.options.logger.info('model runtime started', { models: [...this.models.keys()] });
  }

  definitions(): readonly ModelDefinition[] {
    return [...this.models.values()].map((model) => model.definition);
  }

  /**
   * Acquires the model (loading it if needed), runs `predict` in its thread, releases it.
   * `input.parameters` must already be parsed with the model's schema (as the catalog's
   * `ModelRegistry.resolve` returns them) and, like all of `input`, be structured-cloneable.
   */
  async run(
    modelId: string,
    input: PredictInput<unknown>,
    options: RunOptions,
  ): Promise<ModelOutput> {
    if (!this.started || this.closed) throw new Error('ModelRuntime is not running');
    const { signal, deadline, onProgress } = options;
    // A host may die between being leased and being used; one fresh acquire covers that race.
    for (let attempt = 1; ; attempt += 1) {
      const lease = await this.manager.acquire(modelId, { deadline, signal });
      try {
        if (!lease.handle.alive && attempt === 1) continue;
        return await lease.handle.predict(input, { signal, onProgress });
      } catch (error) {
        // A run that shared a thread with a run that ignored its abort died with that thread
        // through no fault of its own: give it one more go on a fresh host.
        if (attempt === 1 && !signal.aborted && lease.handle.endedByIgnoredAbort) continue;
        throw error;
      } finally {
        lease.release();
      }
    }
  }

  stats(): ModelCacheStats {
    return this.manager.stats();
  }

  /** Unloads every model and waits for every host thread to exit, including dropped ones. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.manager.close();
    await Promise.all([...this.hosts].map((host) => host.unload()));
  }

  private async startHost(model: RegisteredModel, signal: AbortSignal): Promise<ModelHost> {
    const startedAt = performance.now();
    const host = await ModelHost.start(
      {
        modulePath: model.modulePath,
        modelId: model.id,
        logger: this.options.logger,
        abortGraceMs: this.options.abortGraceMs,
        maxOldGenerationSizeMb:
          this.options.threadMaxOldGenerationMb === undefined
            ? (this.options.maxMemoryMb ?? null)
            : this.options.threadMaxOldGenerationMb,
        onEnd: (ended) => this.manager.discard(model.id, ended),
      },
      signal,
    );
    // Kept until the thread has exited (a crashed one may still be exiting), so close() awaits it.
    this.hosts.add(host);
    void host.exited.then(() => this.hosts.delete(host));
    try {
      this.options.onLoad?.(model.id, (performance.now() - startedAt) / 1000);
    } catch (err) {
      this.options.logger.warn('model load observer failed', { model_id: model.id, err });
    }
    return host;
  }
}
