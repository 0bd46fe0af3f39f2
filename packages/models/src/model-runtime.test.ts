import { readdirSync } from 'node:fs';
import path from 'node:path';

import { ModelCacheStats } from '@openad-async/contracts';
import { silentLogger } from '@openad-async/telemetry';

import type { PredictInput } from './model-definition';
import { ModelRunError } from './model-errors';
import type { ModelRuntimeOptions } from './model-runtime';
import { ModelRuntime } from './model-runtime';

const fixtures = path.join(__dirname, '..', 'test-fixtures');
const input = (subjects: string[], parameters: unknown = {}): PredictInput<unknown> => ({
  property_type: ['p'],
  subjects,
  parameters,
});
const live = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });
/** OS threads of this process: model hosts are real threads, so a leaked one shows here. */
const osThreads = (): number => readdirSync('/proc/self/task').length;

describe('ModelRuntime with real host threads', () => {
  let runtime: ModelRuntime | undefined;
  let threadsBefore = 0;

  beforeEach(() => {
    threadsBefore = osThreads();
  });

  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    expect(osThreads()).toBeLessThanOrEqual(threadsBefore);
  });

  async function start(
    modules: string[],
    options: Partial<ModelRuntimeOptions> = {},
  ): Promise<ModelRuntime> {
    runtime = new ModelRuntime({
      modules: modules.map((name) => path.join(fixtures, name)),
      memoryHeadroomMb: 0,
      freeMemoryMb: () => 1_000_000,
      abortGraceMs: 200,
      logger: silentLogger,
      ...options,
    });
    await runtime.start();
    return runtime;
  }

  const failure = (promise: Promise<unknown>): Promise<ModelRunError> =>
    promise.then(
      () => {
        throw new Error('expected the run to fail');
      },
      (error: unknown) => error as ModelRunError,
    );

  it('when a model runs in its thread, then its output and progress flow back', async () => {
    const rt = await start(['echo.js']);
    const progress: [number, number][] = [];
    const rows = await rt.run('echo', input(['C', 'CC', 'CCC'], { prefix: '>' }), {
      ...live(),
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(rows).toEqual(
      ['C', 'CC', 'CCC'].map((s) => ({ subject: s, property: 'echo', result: `>${s}` })),
    );
    expect(progress[0]).toEqual([1, 3]);
    expect(progress.at(-1)).toEqual([3, 3]);
    expect(await rt.run('echo', input(['N'], { prefix: '' }), live())).toEqual([
      { subject: 'N', property: 'echo', result: 'N' },
    ]);
    expect(rt.stats()).toMatchObject({ loaded_models: 1, misses: 1, hits: 1 });
    expect(ModelCacheStats.parse(rt.stats())).toEqual(rt.stats());
    expect(rt.definitions().map((d) => d.id)).toEqual(['echo', 'big']);
  });

  it('when a model ignores its abort, then its thread is killed at the deadline while another run completes', async () => {
    const rt = await start(['slow.js', 'echo.js']);
    await rt.run('slow', input(['warm'], { ms: 0 }), live()); // loaded: the deadline hits the run
    const deadline = new AbortController();
    const hung = failure(rt.run('slow', input(['C']), { signal: deadline.signal }));
    let abortedAt = 0;
    const timer = setTimeout(() => {
      abortedAt = Date.now();
      deadline.abort(new Error('processing deadline passed'));
    }, 300);
    expect(await rt.run('echo', input(['meanwhile']), live())).toHaveLength(1);
    const error = await hung;
    const endedAt = Date.now();
    clearTimeout(timer);
    expect(error.message).toBe('processing deadline passed');
    expect(endedAt - abortedAt).toBeGreaterThanOrEqual(190); // the 200 ms grace, then the kill
    // Far below the model's own 20 s: it was killed, not waited for (loose, for loaded CI machines).
    expect(endedAt - abortedAt).toBeLessThan(8000);
    expect(Object.keys(rt.stats().models)).toEqual(['echo']);
    expect(await rt.run('slow', input(['C'], { ms: 0 }), live())).toEqual([
      { subject: 'C', property: 'p', result: 'done' },
    ]);
    // slow, echo, slow again: the killed host was not reused.
    expect(rt.stats()).toMatchObject({ misses: 3, hits: 1 });
  });

  it('when a run waits behind a run that ignores its abort, then it is retried on a fresh host', async () => {
    const rt = await start(['slow.js']);
    await rt.run('slow', input(['warm'], { ms: 0 }), live());
    const deadline = new AbortController();
    const hung = failure(rt.run('slow', input(['C']), { signal: deadline.signal }));
    // Queued in the same thread behind the busy loop; dies with it when the thread is killed.
    const queued = rt.run('slow', input(['D'], { ms: 0 }), live());
    setTimeout(() => deadline.abort(new Error('processing deadline passed')), 200);
    expect((await hung).message).toBe('processing deadline passed');
    expect(await queued).toEqual([{ subject: 'D', property: 'p', result: 'done' }]);
    expect(rt.stats()).toMatchObject({ misses: 2, loaded_models: 1 });
  });

  it('when a model busy-loops, then the main thread keeps its timers', async () => {
    const rt = await start(['slow.js']);
    await rt.run('slow', input(['warm'], { ms: 0 }), live()); // load outside the measured window
    let ticks = 0;
    const interval = setInterval(() => (ticks += 1), 10);
    try {
      await rt.run('slow', input(['C'], { ms: 500 }), live());
    } finally {
      clearInterval(interval);
    }
    expect(ticks).toBeGreaterThanOrEqual(10); // ~50 possible; a blocked loop would give 0-1
  });

  it('when a cooperative model is aborted, then the run rejects with the reason and the host stays', async () => {
    const rt = await start(['cooperative-slow.js'], { abortGraceMs: 8000 });
    const controller = new AbortController();
    const reason = new Error('canceled by user');
    let abortedAt = 0;
    const running = failure(
      rt.run('cooperative-slow', input(['C']), {
        signal: controller.signal,
        // Abort mid-run: the first progress proves the model is loaded and working.
        onProgress: () => {
          if (abortedAt > 0) return;
          abortedAt = Date.now();
          controller.abort(reason);
        },
      }),
    );
    expect(await running).toBe(reason);
    expect(Date.now() - abortedAt).toBeLessThan(6000); // stopped itself, before the 8 s grace kill
    expect(await rt.run('cooperative-slow', input(['C'], { steps: 2 }), live())).toHaveLength(1);
    expect(rt.stats()).toMatchObject({ misses: 1, hits: 1, loaded_models: 1 });
  });

  it('when a model throws, then that run fails with MODEL_FAILED and the host serves the next run', async () => {
    const rt = await start(['throws.js']);
    const error = await failure(rt.run('throws', input(['C', 'bad']), live()));
    expect(error).toBeInstanceOf(ModelRunError);
    expect(error.code).toBe('MODEL_FAILED');
    expect(error.message).toBe('cannot parse molecule "bad"');
    expect(await rt.run('throws', input(['C']), live())).toHaveLength(1);
    expect(rt.stats()).toMatchObject({ misses: 1, hits: 1 });
  });

  it('when a thread exits or throws uncaught, then its runs fail with MODEL_CRASHED and the model loads anew', async () => {
    const rt = await start(['crashes.js']);
    const exited = await failure(rt.run('crash-exit', input(['exit']), live()));
    expect(exited.code).toBe('MODEL_CRASHED');
    expect(exited.message).toMatch(/"crash-exit" exited unexpectedly with code 3; it was unloaded/);
    expect(rt.stats().models['crash-exit']).toBeUndefined();
    expect(await rt.run('crash-exit', input(['C']), live())).toHaveLength(1);
    expect(rt.stats().misses).toBe(2);

    const uncaught = await failure(rt.run('crash-uncaught', input(['C']), live()));
    expect(uncaught.code).toBe('MODEL_CRASHED');
    expect(uncaught.message).toMatch(/"crash-uncaught" crashed: native binding exploded/);
  });

  it('when a model exceeds its thread heap limit, then MODEL_CRASHED says so and the next run loads anew', async () => {
    const rt = await start(['memory-hog.js'], { threadMaxOldGenerationMb: 48 });
    const error = await failure(rt.run('memory-hog', input(['C'], { hog: true }), live()));
    expect(error.code).toBe('MODEL_CRASHED');
    expect(error.message).toMatch(/"memory-hog" ran out of memory \(thread heap limit 48 MB\)/);
    expect(await rt.run('memory-hog', input(['C']), live())).toHaveLength(1);
    expect(rt.stats()).toMatchObject({ misses: 2, loaded_models: 1 });
  });

  it('when a load fails, then MODEL_LOAD_FAILED carries the model message and is counted', async () => {
    const rt = await start(['throws.js']);
    const error = await failure(rt.run('load-fails', input(['C']), live()));
    expect(error.code).toBe('MODEL_LOAD_FAILED');
    expect(error.message).toBe('Model "load-fails" failed to load: weights file missing');
    expect(rt.stats()).toMatchObject({ load_failures: 1, loaded_models: 0 });
  });

  it('when a model loads, then its measured size replaces the declared one', async () => {
    const rt = await start(['echo.js']);
    await rt.run('big', input(['C']), live());
    // 24 MB of weights in the thread; declared 1 MB.
    expect(rt.stats().models.big?.size_mb).toBeGreaterThanOrEqual(24);
  });

  it('when the cache is full, then the least recently used host is ended and reloaded on demand', async () => {
    const rt = await start(['echo.js', 'throws.js'], { maxModels: 1 });
    await rt.run('echo', input(['C']), live());
    await rt.run('throws', input(['C']), live());
    expect(Object.keys(rt.stats().models)).toEqual(['throws']);
    expect(await rt.run('echo', input(['C']), live())).toHaveLength(1);
    expect(rt.stats()).toMatchObject({ evictions: 2, misses: 3, loaded_models: 1 });
  });

  it('when two runs of one model overlap, then one host serves both', async () => {
    const rt = await start(['cooperative-slow.js']);
    const runs = [1, 2].map(() => rt.run('cooperative-slow', input(['C'], { steps: 3 }), live()));
    expect(await Promise.all(runs)).toHaveLength(2);
    expect(rt.stats()).toMatchObject({ loaded_models: 1, misses: 2, load_failures: 0 });
    expect(rt.stats().models['cooperative-slow']?.use_count).toBe(2);
  });

  it('when closed while a model loads, then the load is abandoned, the run fails and no thread is left', async () => {
    const rt = await start(['lifecycle.js']);
    const running = failure(rt.run('slow-load', input(['C']), live()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rt.stats().loading_models).toBe(1);
    const closing = Date.now();
    await rt.close();
    expect(Date.now() - closing).toBeLessThan(1000); // not the fixture's 10 s load
    expect((await running).message).toMatch(/closed/);
    expect(rt.stats()).toMatchObject({ loading_models: 0, load_failures: 0 });
  });

  it('when a model id is unknown, then UNKNOWN_MODEL', async () => {
    const rt = await start(['echo.js']);
    expect((await failure(rt.run('nope', input([]), live()))).code).toBe('UNKNOWN_MODEL');
  });

  it('when a module cannot be imported or validated, then start fails naming it', async () => {
    for (const [module, message] of [
      ['broken-import.js', /broken-import\.js" could not be loaded: plugin needs an environment/],
      [
        'bad-definition.js',
        /bad-definition\.js: definition "bad" is invalid: service_name: .*sizeMb: /,
      ],
    ] as const) {
      const rt = new ModelRuntime({ modules: [path.join(fixtures, module)], logger: silentLogger });
      await expect(rt.start()).rejects.toThrow(message);
      await rt.close();
    }
  });
});
