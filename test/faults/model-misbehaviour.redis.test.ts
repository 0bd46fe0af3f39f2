import {
  echoRequest,
  FAULT_MODELS,
  submit,
  waitTerminal,
  type ApiProcess,
  type WorkerProcess,
} from '../support/cluster';
import { FaultRig } from '../support/fault-rig';
import { http, PIPELINE_MODELS, until } from '../support/stack';

const faulty = (model: string, extra: Record<string, unknown> = {}) =>
  echoRequest(
    {},
    {
      service_name: `test ${model}`,
      parameters: { property_type: ['value'], subjects: ['CCO'] },
      ...extra,
    },
  );

function loadedModels(stats: unknown): string[] {
  const models = (stats as { property_service: { models: { models: Record<string, unknown> } } })
    .property_service.models.models;
  return Object.keys(models);
}

describe('models that misbehave in their thread, on one worker process', () => {
  let rig: FaultRig;
  let api: ApiProcess;
  let worker: WorkerProcess;

  beforeAll(async () => {
    rig = await FaultRig.start({
      plugins: [PIPELINE_MODELS, FAULT_MODELS],
      env: {
        // One job at a time, so the request after a bad one runs on the slot it left.
        OPENAD_ASYNC_MAX_WORKERS: '1',
        // Also each model thread's heap cap: the hog hits it long before the machine's memory.
        OPENAD_ASYNC_MAX_MEMORY_MB: '128',
      },
    });
    api = await rig.cluster.startApi();
    worker = await rig.cluster.startWorker(rig.redis);
  }, 60000);

  afterAll(async () => {
    await rig?.close();
  }, 30000);

  it.each([
    [
      'throws',
      'failed',
      'thrower',
      {},
      /Cannot read properties of undefined \(reading 'threshold'\)/,
      'stays loaded',
    ],
    [
      'never returns, spinning its thread',
      'timeout',
      'spinner',
      { timeout_seconds: 2 },
      /^Request timed out after 2\.\d+s \(processing for \d+\.\d+s\)$/,
      'is unloaded',
    ],
    [
      'never returns, ignoring its abort',
      'timeout',
      'limbo',
      { timeout_seconds: 2 },
      /^Request timed out after 2\.\d+s/,
      'is unloaded',
    ],
    [
      'allocates without bound',
      'failed',
      'hog',
      {},
      /Model "hog" ran out of memory \(thread heap limit 128 MB\)/,
      'is unloaded',
    ],
  ] as const)(
    'when a model %s, then its request ends %s with a clear error and the same worker serves the next request',
    async (what, status, model, extra, error, after) => {
      const started = Date.now();
      const bad = await submit(api.url, faulty(model, extra));
      const ended = (await waitTerminal(api.url, [bad], 20000)).get(bad)!;
      const endedMs = Date.now() - started;
      expect(ended).toMatchObject({ request_id: bad, status, error: expect.stringMatching(error) });
      expect(ended).not.toHaveProperty('result');

      // A model stuck in its thread is stopped by ending the thread (stats show it unloaded).
      await until(
        () => http(`${api.url}/async/stats`).then((r) => loadedModels(r.body)),
        (loaded) => loaded.includes(model) === (after === 'stays loaded'),
        10000,
      );

      const good = await submit(api.url, echoRequest());
      expect((await waitTerminal(api.url, [good], 15000)).get(good)).toMatchObject({
        status: 'completed',
        result: [{ subject: 'CCO', property: 'length', result: 3 }],
      });
      expect(worker.child.exitCode).toBeNull();
      expect(worker.child.signalCode).toBeNull();
      console.log(`model that ${what}: ${status} after ${endedMs} ms (${ended.error})`);
    },
    30000,
  );

  it('after all of them, the counts say exactly what happened and nothing is left running', async () => {
    const stats = (await http(`${api.url}/async/stats`)).body as {
      property_service: { queue: { status_counts: Record<string, number> }; workers: number };
    };
    expect(stats.property_service.workers).toBe(1);
    expect(stats.property_service.queue.status_counts).toEqual({
      pending: 0,
      processing: 0,
      completed: 4,
      failed: 2,
      timeout: 2,
      canceled: 0,
    });
    expect(rig.cluster.recordIds()).toHaveLength(8);
  });
});
