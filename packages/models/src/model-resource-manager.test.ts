import { ModelCacheStats, ModelStats } from '@openad-async/contracts';

import type { EvictionStrategyName } from './eviction';
import { ModelRunError } from './model-errors';
import { ModelResourceManager } from './model-resource-manager';
import type {
  LoadedHandle,
  ManagedModel,
  ModelResourceManagerOptions,
} from './resource-manager-options';

/** A stand-in for a model host: the manager's logic is what these tests exercise. */
class FakeHandle implements LoadedHandle {
  constructor(
    readonly id: string,
    private readonly unloaded: string[],
    readonly measuredSizeMb: number | null = null,
  ) {}
  async unload(): Promise<void> {
    this.unloaded.push(this.id);
  }
}

interface Deferred {
  resolve(): void;
  reject(error: Error): void;
}

type Options = Partial<ModelResourceManagerOptions<ManagedModel, FakeHandle>>;

function setup(
  sizes: Record<string, number>,
  options: Options = {},
  measured: Record<string, number> = {},
) {
  let clock = 1_000_000;
  const loads: string[] = [];
  const unloads: string[] = [];
  /** When set, loads wait for the test to settle them. */
  const gates = new Map<string, Deferred>();
  let gated = false;
  const manager = new ModelResourceManager<ManagedModel, FakeHandle>({
    resolveModel: (id) => (sizes[id] === undefined ? undefined : { id, sizeMb: sizes[id] }),
    loader: async (model) => {
      loads.push(model.id);
      if (gated) {
        await new Promise<void>((resolve, reject) => gates.set(model.id, { resolve, reject }));
      }
      return new FakeHandle(model.id, unloads, measured[model.id] ?? null);
    },
    maxModels: 3,
    memoryHeadroomMb: 0,
    freeMemoryMb: () => 1_000_000,
    now: () => clock,
    roomPollMs: 20,
    ...options,
  });
  /** Acquire and release at once: one use, one clock tick later. */
  const use = async (id: string): Promise<void> => {
    clock += 1;
    (await manager.acquire(id)).release();
  };
  return {
    manager,
    loads,
    unloads,
    gates,
    use,
    gate: () => {
      gated = true;
    },
    tick: () => (clock += 1),
  };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ModelResourceManager', () => {
  describe.each<[EvictionStrategyName, Record<string, number>, string[], string]>([
    // b was used longest ago (a was used again after it).
    ['least_recently_used', { a: 100, b: 100, c: 100, d: 100 }, ['a', 'b', 'c', 'a'], 'b'],
    // b was used once; a three times, c twice.
    [
      'least_frequently_used',
      { a: 100, b: 100, c: 100, d: 100 },
      ['a', 'a', 'b', 'c', 'a', 'c'],
      'b',
    ],
    // a and c tie at one use; a was used longer ago.
    ['least_frequently_used', { a: 100, b: 100, c: 100, d: 100 }, ['a', 'b', 'b', 'c'], 'a'],
    // a is the largest even though it was used last.
    ['largest_size', { a: 300, b: 100, c: 200, d: 100 }, ['b', 'c', 'a'], 'a'],
    // b and c tie for largest; b was used longer ago.
    ['largest_size', { a: 100, b: 200, c: 200, d: 100 }, ['b', 'a', 'c'], 'b'],
  ])('with %s', (strategy, sizes, script, victim) => {
    it(`when a fourth model arrives after ${script.join(',')}, then ${victim} is evicted`, async () => {
      const { manager, use, unloads, loads } = setup(sizes, { evictionStrategy: strategy });
      for (const id of script) await use(id);
      await use('d');
      expect(unloads).toEqual([victim]);
      expect(loads).toEqual([...new Set(script), 'd']);
      expect(Object.keys(manager.stats().models).sort()).toEqual(
        ['a', 'b', 'c', 'd'].filter((id) => id !== victim),
      );
      expect(manager.stats().evictions).toBe(1);
      await manager.close();
    });
  });

  it('when the least recently used model is in use, then it survives and the next one goes', async () => {
    const { manager, use, unloads } = setup({ a: 1, b: 1, c: 1 }, { maxModels: 2 });
    const held = await manager.acquire('a');
    await use('b');
    await use('c');
    expect(unloads).toEqual(['b']);
    expect(manager.stats().models.a?.use_count).toBe(1);
    held.release();
    await manager.close();
  });

  it('when two acquires of one model overlap, then it loads once and both get the same handle', async () => {
    const { manager, loads, gates, gate } = setup({ a: 10 });
    gate();
    const first = manager.acquire('a');
    const second = manager.acquire('a');
    await flush();
    expect(manager.stats()).toMatchObject({ loading_models: 1, loaded_models: 0 });
    expect(manager.stats().models.a?.is_loading).toBe(true);
    gates.get('a')?.resolve();
    const [x, y] = await Promise.all([first, second]);
    expect(loads).toEqual(['a']);
    expect(x.handle).toBe(y.handle);
    expect(manager.stats()).toMatchObject({ loaded_models: 1, hits: 0, misses: 2 });
    expect(manager.stats().models.a?.use_count).toBe(2);
    x.release();
    y.release();
    await manager.acquire('a').then((lease) => lease.release());
    expect(manager.stats().hits).toBe(1);
    await manager.close();
  });

  it('when different models are acquired together, then their loads run in parallel', async () => {
    const { manager, loads, gates, gate } = setup({ a: 10, b: 10 });
    gate();
    const both = Promise.all([manager.acquire('a'), manager.acquire('b')]);
    await flush();
    expect(loads).toEqual(['a', 'b']);
    expect(manager.stats().loading_models).toBe(2);
    gates.get('b')?.resolve();
    gates.get('a')?.resolve();
    for (const lease of await both) lease.release();
    await manager.close();
  });

  it('when every slot is in use, then an acquire waits for a release and then evicts and loads', async () => {
    const { manager, unloads } = setup({ a: 10, b: 10 }, { maxModels: 1, now: Date.now });
    const held = await manager.acquire('a');
    let done = false;
    const waiting = manager.acquire('b', { deadline: Date.now() + 5000 }).then((lease) => {
      done = true;
      return lease;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    held.release();
    const lease = await waiting;
    expect(unloads).toEqual(['a']);
    expect(lease.modelId).toBe('b');
    lease.release();
    await manager.close();
  });

  it('when no room frees up by the deadline, then NO_ROOM names the model, its size and the limits', async () => {
    const { manager } = setup(
      { a: 300, b: 250 },
      { maxModels: 1, maxMemoryMb: 1000, now: Date.now },
    );
    const held = await manager.acquire('a');
    const started = Date.now();
    const error = await manager.acquire('b', { deadline: started + 120 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(error).toBeInstanceOf(ModelRunError);
    expect((error as ModelRunError).code).toBe('NO_ROOM');
    const message = (error as Error).message;
    expect(message).toContain('"b" (250 MB)');
    expect(message).toContain('max_models=1, max_memory_mb=1000, memory_headroom_mb=0');
    expect(message).toContain('in use: a (300 MB)');
    held.release();
    await manager.close();
  });

  it('when a model is larger than max_memory_mb, then NO_ROOM comes at once', async () => {
    const { manager, loads } = setup({ huge: 5000 }, { maxMemoryMb: 4000 });
    await expect(manager.acquire('huge', { deadline: null })).rejects.toThrow(
      /"huge" \(5000 MB\): it is larger than max_memory_mb/,
    );
    expect(loads).toEqual([]);
    await manager.close();
  });

  it('when an acquire waiting for room is aborted, then it rejects with the reason', async () => {
    const { manager } = setup({ a: 1, b: 1 }, { maxModels: 1 });
    const held = await manager.acquire('a');
    const controller = new AbortController();
    const waiting = manager.acquire('b', { signal: controller.signal });
    await flush();
    controller.abort(new Error('canceled by user'));
    await expect(waiting).rejects.toThrow('canceled by user');
    held.release();
    await manager.close();
  });

  it('when free memory would fall below the headroom, then models are evicted until it fits', async () => {
    const resident = new Set<string>();
    const sizes = { a: 300, b: 300, c: 300 };
    const harness = setup(sizes, {
      memoryHeadroomMb: 200,
      freeMemoryMb: () => 1000 - [...resident].length * 300,
    });
    const { manager, unloads } = harness;
    const useResident = async (id: string): Promise<void> => {
      await harness.use(id);
      resident.add(id);
    };
    await useResident('a');
    await useResident('b');
    expect(unloads).toEqual([]);
    await useResident('c'); // 400 free - 300 < 200 headroom: a (least recently used) goes
    expect(unloads).toEqual(['a']);
    expect(manager.stats().loaded_models).toBe(2);
    await manager.close();
  });

  it('when nothing in use could free memory for the headroom, then NO_ROOM comes at once', async () => {
    const { manager } = setup({ a: 300 }, { memoryHeadroomMb: 400, freeMemoryMb: () => 500 });
    await expect(manager.acquire('a', { deadline: null })).rejects.toThrow(
      /"a" \(300 MB\): no model in use could free room; 500 MB free would leave less than 400 MB headroom/,
    );
    await manager.close();
  });

  it('when a load measures more than declared, then the measured size counts and the cap is restored', async () => {
    const { manager, use, unloads } = setup(
      { a: 100, b: 100 },
      { maxMemoryMb: 600 },
      { a: 550, b: 90 },
    );
    await use('b');
    expect(manager.stats().models.b?.size_mb).toBe(90);
    await use('a'); // declared 100 fits; measured 550 + 90 > 600 evicts b
    expect(manager.stats().models.a?.size_mb).toBe(550);
    expect(unloads).toEqual(['b']);
    expect(manager.stats().total_memory_mb).toBe(550);
    await manager.close();
  });

  it('when a load fails, then every waiter gets MODEL_LOAD_FAILED, it is counted, and the next acquire retries', async () => {
    const { manager, loads, gates, gate } = setup({ a: 10 });
    gate();
    const first = manager.acquire('a').catch((e: unknown) => e);
    const second = manager.acquire('a').catch((e: unknown) => e);
    await flush();
    gates.get('a')?.reject(new Error('weights missing'));
    for (const error of await Promise.all([first, second])) {
      expect(error).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
      expect((error as Error).message).toBe('Model "a" failed to load: weights missing');
    }
    expect(manager.stats()).toMatchObject({
      load_failures: 1,
      loaded_models: 0,
      loading_models: 0,
    });
    const retry = manager.acquire('a');
    await flush();
    gates.get('a')?.resolve();
    (await retry).release();
    expect(loads).toEqual(['a', 'a']);
    await manager.close();
  });

  it('when the model id is unknown, then UNKNOWN_MODEL', async () => {
    const { manager } = setup({});
    await expect(manager.acquire('nope')).rejects.toMatchObject({ code: 'UNKNOWN_MODEL' });
    await manager.close();
  });

  it('when a resident handle dies, then discard forgets it and the next acquire loads anew', async () => {
    const { manager, loads } = setup({ a: 10 });
    const lease = await manager.acquire('a');
    manager.discard('a', lease.handle);
    lease.release();
    expect(manager.stats().models).toEqual({});
    await manager.acquire('a').then((l) => l.release());
    expect(loads).toEqual(['a', 'a']);
    await manager.close();
  });

  it('stats have exactly the ModelCacheStats shape', async () => {
    const { manager, use } = setup(
      { a: 12.34 },
      { maxMemoryMb: 100, evictionStrategy: 'largest_size' },
    );
    await use('a');
    const stats = manager.stats();
    expect(Object.keys(stats).sort()).toEqual(Object.keys(ModelCacheStats.shape).sort());
    expect(Object.keys(stats.models.a ?? {}).sort()).toEqual(Object.keys(ModelStats.shape).sort());
    expect(ModelCacheStats.parse(stats)).toEqual(stats);
    expect(stats).toMatchObject({
      loaded_models: 1,
      max_models: 3,
      max_memory_mb: 100,
      eviction_strategy: 'largest_size',
      total_memory_mb: 12.3,
    });
    expect(stats.models.a?.last_used).toBe(new Date(1_000_001).toISOString());
    await manager.close();
  });

  it('when closed, then every model is unloaded and acquires are refused', async () => {
    const { manager, use, unloads } = setup({ a: 1, b: 1 });
    await use('a');
    await use('b');
    await manager.close();
    expect(unloads.sort()).toEqual(['a', 'b']);
    await expect(manager.acquire('a')).rejects.toThrow('closed');
  });
});
