import {
  echoRequest,
  submit,
  waitTerminal,
  type ApiProcess,
  type WorkerProcess,
} from '../support/cluster';
import { FaultRig } from '../support/fault-rig';
import { http, until } from '../support/stack';

// Short BullMQ timings: a dead worker's job is free after 3 s and noticed within a second.
const STALL_ENV = {
  OPENAD_ASYNC_LOCK_DURATION_MS: '3000',
  OPENAD_ASYNC_STALLED_INTERVAL_MS: '1000',
  OPENAD_ASYNC_MAX_WORKERS: '2',
};

/** How often a worker process logged starting a request. */
function startsOn(worker: WorkerProcess, id: string): number {
  return worker
    .output()
    .split('\n')
    .filter((l) => l.includes(`"request_id":"${id}"`) && l.includes('request started')).length;
}

describe('a worker killed with SIGKILL mid-job', () => {
  let rig: FaultRig;
  let api: ApiProcess;
  let workers: WorkerProcess[];

  beforeAll(async () => {
    rig = await FaultRig.start({ env: STALL_ENV });
    api = await rig.cluster.startApi();
    workers = [await rig.cluster.startWorker(rig.redis), await rig.cluster.startWorker(rig.redis)];
  }, 60000);

  afterAll(async () => {
    await rig?.close();
  }, 30000);

  it('when the worker holding jobs dies, then another worker runs them after stall detection and each ends completed once, with its record', async () => {
    // Four 4-second jobs: both workers take two each (concurrency 2).
    const ids = await Promise.all(
      Array.from({ length: 4 }, () => submit(api.url, echoRequest({ delay_ms: 4000 }))),
    );
    // Each worker logs the requests it starts; wait until all four run somewhere.
    const holder = (id: string) => workers.find((w) => w.output().includes(`"request_id":"${id}"`));
    await until(
      async () => ids.map(holder),
      (hs) => hs.every((h) => h !== undefined),
      15000,
    );
    const victim = holder(ids[0]!)!;
    const survivor = workers.find((w) => w !== victim)!;
    const victimJobs = ids.filter((id) => holder(id) === victim);

    const killedAt = Date.now();
    expect(await victim.stop('SIGKILL')).toBe('SIGKILL');

    // Picked up again only once the lock lapsed and a stall check found it.
    await until(
      async () => victimJobs.every((id) => startsOn(survivor, id) === 1),
      (ok) => ok,
      20000,
    );
    const pickedUpMs = Date.now() - killedAt;
    const records = await waitTerminal(api.url, ids, 30000);
    const recoveredMs = Date.now() - killedAt;
    for (const id of ids) {
      expect(records.get(id)).toMatchObject({
        request_id: id,
        status: 'completed',
        result: [{ subject: 'CCO', property: 'length', result: 3 }],
      });
    }
    // The survivor ran the dead worker's jobs again, each once.
    for (const id of victimJobs) expect(startsOn(survivor, id)).toBe(1);
    // One terminal claim per request, one record per request, nothing left in the queue.
    const stats = (await http(`${api.url}/async/stats`)).body as {
      property_service: {
        queue: { status_counts: Record<string, number>; total_requests: number };
      };
    };
    expect(stats.property_service.queue.status_counts).toEqual({
      pending: 0,
      processing: 0,
      completed: 4,
      failed: 0,
      timeout: 0,
      canceled: 0,
    });
    expect(rig.cluster.recordIds().sort()).toEqual([...ids].sort());
    // The dead worker's heartbeat ages out, so stats stop counting it.
    await until(
      () =>
        http(`${api.url}/async/stats`).then(
          (r) => (r.body as { property_service: { workers: number } }).property_service.workers,
        ),
      (n) => n === 1,
      10000,
    );
    console.log(
      `worker SIGKILL: ${victimJobs.length} of ${ids.length} jobs on the killed worker; picked up again after ${pickedUpMs} ms, all completed ${recoveredMs} ms after the kill`,
    );
  }, 60000);
});
