import {
  echoRequest,
  statusOf,
  submit,
  waitTerminal,
  type ApiProcess,
  type WorkerProcess,
} from '../support/cluster';
import { FaultRig } from '../support/fault-rig';
import { S3Server } from '../support/s3-server';
import { http, until } from '../support/stack';

describe('the S3 result store down while jobs finish', () => {
  let rig: FaultRig;
  let s3: S3Server;
  let api: ApiProcess;
  let uncached: ApiProcess;
  let worker: WorkerProcess;

  beforeAll(async () => {
    s3 = await S3Server.start();
    rig = await FaultRig.start({ env: { ...s3.env(), OPENAD_ASYNC_MAX_WORKERS: '4' } });
    api = await rig.cluster.startApi();
    uncached = await rig.cluster.startApi({ OPENAD_ASYNC_RECORD_CACHE_MB: '0' });
    worker = await rig.cluster.startWorker(rig.redis);
  }, 60000);

  afterAll(async () => {
    await rig?.close();
    await s3?.destroy();
  }, 30000);

  it('when S3 is down, then finished jobs stay processing while the worker retries with backoff, and complete with their records once S3 is back', async () => {
    // A request completed before the outage: its record lives only in S3.
    const earlier = await submit(api.url, echoRequest());
    await waitTerminal(api.url, [earlier], 15000);

    await s3.stop();
    const downAt = Date.now();
    const ids = await Promise.all(
      Array.from({ length: 4 }, () => submit(api.url, echoRequest({ delay_ms: 300 }))),
    );

    // Models finish; their records cannot be written. Watch them for a while.
    const seen = new Set<string>();
    while (Date.now() - downAt < 8000) {
      for (const id of ids) {
        const s = await statusOf(api.url, id);
        seen.add(`${s.code} ${s.body.status}`);
        expect(s.code).toBe(200);
        expect(['pending', 'processing']).toContain(s.body.status);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const retries = worker.output().match(/result store write failed, retrying/g)?.length ?? 0;
    const ready = await http(`${api.url}/readyz`);
    // The replica that read the earlier record answers it from memory; one without the cache
    // cannot read it now: that is an outage (503), not a 500 or a 404.
    const earlierCached = await statusOf(api.url, earlier);
    const earlierDuring = await statusOf(uncached.url, earlier);

    await s3.start();
    const upAt = Date.now();
    const records = await waitTerminal(api.url, ids, 30000);
    const completedAfterMs = Date.now() - upAt;

    expect(seen).toEqual(new Set(['200 processing']));
    expect(retries).toBeGreaterThanOrEqual(ids.length * 2);
    expect(ready).toMatchObject({ status: 503, body: { checks: { result_store: 'unreachable' } } });
    expect(earlierCached).toMatchObject({ code: 200, body: { status: 'completed' } });
    expect(earlierDuring).toMatchObject({ code: 503, body: { detail: { code: 'UNAVAILABLE' } } });
    for (const id of ids) {
      expect(records.get(id)).toMatchObject({
        status: 'completed',
        result: [{ subject: 'CCO', property: 'length', result: 3 }],
      });
    }
    expect((await statusOf(api.url, earlier)).body).toMatchObject({ status: 'completed' });
    await until(
      () => http(`${api.url}/readyz`),
      (r) => r.status === 200,
      10000,
    );
    const stats = (await http(`${api.url}/async/stats`)).body as {
      property_service: { queue: { status_counts: Record<string, number> } };
    };
    expect(stats.property_service.queue.status_counts).toMatchObject({
      pending: 0,
      processing: 0,
      completed: 5,
      failed: 0,
    });
    console.log(
      `s3 outage: ${upAt - downAt} ms down, ${retries} store write retries logged, every status ` +
        `read during it answered 200 processing; all ${ids.length} completed ${completedAfterMs} ms after S3 returned`,
    );
  }, 90000);
});
