import type { ModelRegistry } from '@openad-async/catalog';
import { publicConfig, type Config } from '@openad-async/config';
import {
  SERVICE_KINDS,
  STATS_KEY,
  type ModelCacheStats,
  type ServiceKind,
  type WorkerHeartbeat,
} from '@openad-async/contracts';
import { serviceStats, type Backplane } from '@openad-async/queue';

export interface StatsDeps {
  backplane: Backplane;
  registry: ModelRegistry;
  config: Config;
}

/** `/async/stats`: per service, BullMQ counts + Redis counters + live worker heartbeats. */
export async function collectStats(deps: StatsDeps): Promise<Record<string, unknown>> {
  const { backplane } = deps;
  // A heartbeat lives three intervals (see HeartbeatPublisher).
  const workers = await backplane.heartbeats.live(
    deps.config.worker.heartbeatIntervalSeconds * 3000,
  );
  const out: Record<string, unknown> = {};
  await Promise.all(
    SERVICE_KINDS.map(async (kind) => {
      const serving = workers.filter((w) => w.queues.includes(kind));
      out[STATS_KEY[kind]] = await serviceStats(
        backplane,
        kind,
        serving,
        mergeModels(deps.registry, kind, serving, deps.config),
      );
    }),
  );
  out.config = publicConfig(deps.config);
  return out;
}

/** Joins the model caches of every worker serving a kind, keeping only that kind's models. */
export function mergeModels(
  registry: ModelRegistry,
  kind: ServiceKind,
  workers: WorkerHeartbeat[],
  config: Config,
): ModelCacheStats {
  const merged: ModelCacheStats = {
    loaded_models: 0,
    loading_models: 0,
    total_memory_mb: 0,
    max_models: workers.length === 0 ? config.models.maxModels : 0,
    max_memory_mb: workers.length === 0 ? config.models.maxMemoryMb : null,
    eviction_strategy: workers[0]?.models.eviction_strategy ?? config.models.evictionStrategy,
    hits: 0,
    misses: 0,
    evictions: 0,
    load_failures: 0,
    models: {},
  };
  for (const w of workers) {
    const m = w.models;
    merged.max_models += m.max_models;
    if (m.max_memory_mb !== null)
      merged.max_memory_mb = (merged.max_memory_mb ?? 0) + m.max_memory_mb;
    merged.hits += m.hits;
    merged.misses += m.misses;
    merged.evictions += m.evictions;
    merged.load_failures += m.load_failures;
    for (const [id, s] of Object.entries(m.models)) {
      if (registry.byModelId(id) && kindOfModel(registry, id) !== kind) continue;
      if (s.is_loading) merged.loading_models += 1;
      else merged.loaded_models += 1;
      merged.total_memory_mb += s.size_mb;
      const prev = merged.models[id];
      merged.models[id] = prev
        ? {
            size_mb: Math.max(prev.size_mb, s.size_mb),
            load_time: minIso(prev.load_time, s.load_time),
            last_used: maxIso(prev.last_used, s.last_used),
            use_count: prev.use_count + s.use_count,
            is_loading: prev.is_loading || s.is_loading,
          }
        : { ...s };
    }
  }
  merged.total_memory_mb = Math.round(merged.total_memory_mb * 10) / 10;
  return merged;
}

function kindOfModel(registry: ModelRegistry, id: string): ServiceKind | undefined {
  return registry.byModelId(id)?.kind;
}

function minIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

function maxIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
