import {
  echoRequest,
  FAULT_MODELS,
  generateRequest,
  submit,
  waitTerminal,
  type ApiProcess,
  type WorkerProcess,
} from '../support/cluster';
import { FaultRig } from '../support/fault-rig';
import { http, PIPELINE_MODELS, until } from '../support/stack';

type Stats = Record<
  'property_service' | 'generation_service',
  { queue: { status_counts: Record<string, number>; total_requests: number } }
>;

describe('Redis stopped and restarted on the same data', () => {
  let rig: FaultRig;
  let api: ApiProcess;
  let worker: WorkerProcess;

  beforeAll(async () => {
    rig = await FaultRig.start({
      plugins: [PIPELINE_MODELS, FAULT_MODELS],
      env: {
        OPENAD_ASYNC_MAX_WORKERS: '4',
      },
    });
    api = await rig.cluster.startApi();
    worker = await rig.cluster.startWorker(rig.redis);
  }, 60000);

  afterAll(async () => {
    await rig?.close();
  }, 30000);

  it('when Redis goes away under load, then submissions get a fast 503 UNAVAILABLE, /readyz says 503, and after it returns every accepted request completes without restarting anything', async () => {
    // Accepted before the outage: four running (concurrency 4), the rest pending behind them.
    // Two of the running ones report no progress, so nothing but the end needs Redis.
    const quiet = () =>
      echoRequest(
        {},
        {
          service_name: 'test quiet',
          parameters: { property_type: ['value'], subjects: ['C'], delay_ms: 1500 },
        },
      );
    const before = [
      await submit(api.url, quiet()),
      await submit(api.url, quiet()),
      ...(await Promise.all(
        Array.from({ length: 4 }, () => submit(api.url, echoRequest({ delay_ms: 1500 }))),
      )),
      await submit(api.url, generateRequest()),
    ];
    await until(
      () => Promise.all(before.slice(0, 4).map((id) => http(`${api.url}/async/status/${id}`))),
      (rs) => rs.every((r) => (r.body as { status: string }).status === 'processing'),
      10000,
    );

    rig.redis.disconnect();
    await rig.server.stop();
    const downAt = Date.now();

    // During the outage: quick, well-formed refusals, never a hang or a 500.
    const outage: Array<{
      what: string;
      status: number;
      ms: number;
      body: unknown;
      retry: string | null;
    }> = [];
    const probe = async (what: string, run: () => ReturnType<typeof http>) => {
      const t = Date.now();
      const res = await run();
      outage.push({
        what,
        status: res.status,
        ms: Date.now() - t,
        body: res.body,
        retry: res.headers.get('retry-after'),
      });
    };
    // Twelve seconds of traffic: long enough for ioredis' reconnect delay to reach its cap, and
    // for the running jobs to finish their model while Redis is away.
    while (Date.now() - downAt < 12000) {
      await probe('submit', () => http(`${api.url}/service`, { body: echoRequest() }));
      await probe('status', () => http(`${api.url}/async/status/${before[0]}`));
      await probe('cancel', () =>
        http(`${api.url}/async/cancel/${before[5]}`, { method: 'DELETE' }),
      );
      await probe('readyz', () => http(`${api.url}/readyz`));
    }

    await rig.server.start();
    const upAt = Date.now();
    rig.reconnect();
    await until(
      () => http(`${api.url}/readyz`),
      (r) => r.status === 200,
      15000,
    );
    const readyAfterMs = Date.now() - upAt;

    const after = await Promise.all(
      Array.from({ length: 3 }, () => submit(api.url, echoRequest())),
    );
    const all = [...before, ...after];
    const records = await waitTerminal(api.url, all, 60000);
    const completedAfterMs = Date.now() - upAt;

    for (const o of outage.filter((x) => x.what !== 'readyz')) {
      expect(o).toMatchObject({ status: 503, retry: expect.stringMatching(/^\d+$/) });
      expect(o.body).toMatchObject({ detail: { code: 'UNAVAILABLE', error: expect.any(String) } });
    }
    for (const o of outage.filter((x) => x.what === 'readyz')) {
      expect(o).toMatchObject({
        status: 503,
        body: { status: 'not ready', checks: { redis: 'unreachable' } },
      });
    }
    expect(Math.max(...outage.map((o) => o.ms))).toBeLessThan(3000);

    for (const id of all)
      expect(records.get(id)).toMatchObject({ request_id: id, status: 'completed' });
    expect(rig.cluster.recordIds().sort()).toEqual([...all].sort());
    const stats = (await http(`${api.url}/async/stats`)).body as Stats;
    expect(stats.property_service.queue).toMatchObject({
      total_requests: all.length - 1,
      status_counts: {
        pending: 0,
        processing: 0,
        completed: all.length - 1,
        failed: 0,
        timeout: 0,
        canceled: 0,
      },
    });
    expect(stats.generation_service.queue.status_counts.completed).toBe(1);
    expect(worker.child.exitCode).toBeNull();
    const worst = (what: string) =>
      Math.max(...outage.filter((o) => o.what === what).map((o) => o.ms));
    console.log(
      `redis restart: outage ${upAt - downAt} ms, ${outage.length} requests during it, ` +
        `slowest answers: submit ${worst('submit')} ms, status ${worst('status')} ms, ` +
        `cancel ${worst('cancel')} ms, readyz ${worst('readyz')} ms; /readyz 200 ` +
        `${readyAfterMs} ms after restart; all ${all.length} accepted requests completed ` +
        `${completedAfterMs} ms after restart`,
    );
  }, 120000);
});
