import { http, TestStack, until } from '../support/stack';

const body = (extra: Record<string, unknown> = {}) => ({
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['C'] },
  async: true,
  use_enhanced_async: true,
  ...extra,
});

describe('stats and replicas', () => {
  const stack = new TestStack({ env: { OPENAD_ASYNC_MAX_WORKERS: '2' } });
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = await stack.startApi();
    b = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when two api instances share Redis and the store, then each answers for requests the other accepted', async () => {
    const id = ((await http(`${a}/service`, { body: body() })).body as { request_id: string })
      .request_id;
    const pendingOnB = await http(`${b}/async/status/${id}`);
    expect(pendingOnB.body).toMatchObject({ request_id: id, status: 'pending' });
    const canceledOnB = await http(`${b}/async/cancel/${id}`, { method: 'DELETE' });
    expect(canceledOnB.status).toBe(200);
    expect((await http(`${a}/async/status/${id}`)).body).toMatchObject({ status: 'canceled' });
  });

  it('when an api instance stops, then the other still answers its requests', async () => {
    await stack.startWorker();
    const c = await stack.startApi();
    const id = ((await http(`${c}/service`, { body: body() })).body as { request_id: string })
      .request_id;
    await stack.stopApi(2);
    const s = await until(
      () => http(`${a}/async/status/${id}`),
      (r) => (r.body as { status: string }).status === 'completed',
    );
    expect(s.body).toMatchObject({ request_id: id, status: 'completed' });
  });

  it('reports the spec shape with counts that match what happened', async () => {
    const before = (await http(`${a}/async/stats`)).body as Record<
      string,
      { queue: { total_requests: number } }
    >;
    const base = before.property_service!.queue.total_requests;
    await http(`${a}/service`, {
      body: { ...body(), async: false, use_enhanced_async: false, priority: 'high' },
    });
    await http(`${a}/service`, {
      body: {
        ...body(),
        async: false,
        parameters: { property_type: ['length'], subjects: ['C'], fail: true },
      },
    });
    const stats = await until(
      () => http(`${a}/async/stats`).then((r) => r.body as Record<string, Record<string, unknown>>),
      // One job ran in the test before; model stats arrive with the next heartbeat (0.5 s here).
      (s) => JSON.stringify(s.property_service).includes('"use_count":3'),
    );
    const p = stats.property_service as {
      queue: Record<string, unknown> & {
        status_counts: Record<string, number>;
        priority_counts: Record<string, number>;
      };
      models: Record<string, unknown> & { models: Record<string, unknown> };
      workers: number;
    };
    expect(Object.keys(stats).sort()).toEqual(['config', 'generation_service', 'property_service']);
    expect(Object.keys(p.queue).sort()).toEqual(
      [
        'max_concurrent_requests',
        'priority_counts',
        'processing_count',
        'queue_length',
        'status_counts',
        'total_requests',
      ].sort(),
    );
    expect(p.queue.total_requests).toBe(base + 2);
    expect(p.queue.max_concurrent_requests).toBe(2);
    expect(p.queue.status_counts).toEqual({
      pending: 0,
      processing: 0,
      completed: 2,
      failed: 1,
      timeout: 0,
      canceled: 1,
    });
    expect(p.queue.priority_counts.HIGH).toBe(1);
    expect(p.queue.priority_counts.NORMAL).toBe(base + 1);
    expect(p.workers).toBe(1);
    expect(p.models).toMatchObject({
      loaded_models: 1,
      loading_models: 0,
      eviction_strategy: expect.any(String),
    });
    expect(p.models.models['test-echo']).toMatchObject({ use_count: 3, is_loading: false });
    expect(stats.config).toMatchObject({
      max_queue_size: 1000,
      max_workers: 2,
      result_ttl_hours: 24,
    });
    expect(stats.generation_service).toMatchObject({ queue: { total_requests: 0 }, workers: 1 });
  });
});
