import { echoRequest, statusOf, submit, waitTerminal, type ApiProcess } from '../support/cluster';
import { FaultRig } from '../support/fault-rig';
import { http, until } from '../support/stack';

describe('an api replica killed with SIGKILL', () => {
  let rig: FaultRig;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    rig = await FaultRig.start({ env: { OPENAD_ASYNC_MAX_WORKERS: '1' } });
    [a, b] = await Promise.all([rig.cluster.startApi(), rig.cluster.startApi()]);
    await rig.cluster.startWorker(rig.redis);
  }, 60000);

  afterAll(async () => {
    await rig?.close();
  }, 30000);

  it('when the replica that accepted requests dies, then the other answers status, cancel and stats for all of them', async () => {
    // Accepted by A: one finished, one running, and three queued behind it (one job at a time).
    const finished = await submit(a.url, echoRequest());
    await waitTerminal(a.url, [finished], 15000);
    const running = await submit(a.url, echoRequest({ delay_ms: 4000 }));
    const queued = await submit(a.url, echoRequest());
    const toCancel = await submit(a.url, echoRequest());
    const toTimeOut = await submit(a.url, echoRequest({}, { timeout_seconds: 1 }));

    expect(await a.stop('SIGKILL')).toBe('SIGKILL');
    const killedAt = Date.now();

    expect((await statusOf(b.url, finished)).body).toMatchObject({ status: 'completed' });
    await until(
      () => statusOf(b.url, running),
      (s) => s.body.status === 'processing',
      10000,
    );
    expect((await statusOf(b.url, queued)).body).toMatchObject({ status: 'pending' });
    const cancel = await http(`${b.url}/async/status/${toCancel}`, { method: 'DELETE' });
    expect(cancel).toMatchObject({ status: 200, body: { request_id: toCancel } });

    const all = [finished, running, queued, toCancel, toTimeOut];
    const records = await waitTerminal(b.url, all, 30000);
    expect(Object.fromEntries(all.map((id) => [id, records.get(id)?.status]))).toEqual({
      [finished]: 'completed',
      [running]: 'completed',
      [queued]: 'completed',
      [toCancel]: 'canceled',
      [toTimeOut]: 'timeout',
    });
    expect(records.get(toTimeOut)?.error).toMatch(
      /^Request timed out after \d+\.\ds waiting in the queue$/,
    );
    const stats = (await http(`${b.url}/async/stats`)).body as {
      property_service: {
        queue: { total_requests: number; status_counts: Record<string, number> };
      };
    };
    expect(stats.property_service.queue).toMatchObject({
      total_requests: 5,
      status_counts: {
        pending: 0,
        processing: 0,
        completed: 3,
        failed: 0,
        timeout: 1,
        canceled: 1,
      },
    });
    expect(rig.cluster.recordIds().sort()).toEqual([...all].sort());
    console.log(
      `api replica SIGKILL: the other replica ended all 5 requests ${Date.now() - killedAt} ms after the kill`,
    );
  }, 40000);
});
