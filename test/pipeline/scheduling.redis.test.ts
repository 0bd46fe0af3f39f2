import { http, TestStack, until } from '../support/stack';

type Status = { status: string; started_at?: string; error?: string; request_id: string };

const submit = (
  url: string,
  extra: Record<string, unknown>,
  parameters: Record<string, unknown> = {},
) =>
  http(`${url}/service`, {
    body: {
      service_type: 'get_molecule_property',
      service_name: 'test echo',
      parameters: { property_type: ['length'], subjects: ['C'], ...parameters },
      async: true,
      use_enhanced_async: true,
      ...extra,
    },
  }).then((r) => {
    if (r.status !== 200) throw new Error(`submit failed: ${r.status} ${JSON.stringify(r.body)}`);
    return (r.body as { request_id: string }).request_id;
  });

const status = (url: string, id: string) =>
  http(`${url}/async/status/${id}`).then((r) => r.body as Status);
const terminal = (s: Status) => ['completed', 'failed', 'timeout', 'canceled'].includes(s.status);

describe('priorities', () => {
  const stack = new TestStack({ env: { OPENAD_ASYNC_MAX_WORKERS: '1' } });
  afterAll(() => stack.close());

  it('when jobs wait with no worker, then one worker at concurrency 1 runs them critical→high→normal→low, FIFO within', async () => {
    const url = await stack.startApi();
    const order = [
      'low',
      'normal',
      'critical',
      'high',
      'low',
      'critical',
      'normal',
      'high',
      'NORMAL',
    ];
    const ids: Array<{ id: string; priority: string; n: number }> = [];
    for (const [n, priority] of order.entries()) {
      ids.push({
        id: await submit(url, { priority }, { delay_ms: 5 }),
        priority: priority.toLowerCase(),
        n,
      });
    }
    await stack.startWorker();
    const done = await Promise.all(ids.map((j) => until(() => status(url, j.id), terminal)));
    expect(done.every((s) => s.status === 'completed')).toBe(true);
    const ran = ids
      .map((j, i) => ({ ...j, started: Date.parse(done[i]!.started_at!) }))
      .sort((a, b) => a.started - b.started)
      .map((j) => `${j.priority}#${j.n}`);
    expect(ran).toEqual([
      'critical#2',
      'critical#5',
      'high#3',
      'high#7',
      'normal#1',
      'normal#6',
      'normal#8',
      'low#0',
      'low#4',
    ]);
  });
});

describe('timeouts, cancel and the queue cap with no worker running', () => {
  const stack = new TestStack({ env: { OPENAD_ASYNC_MAX_QUEUE_SIZE: '3' } });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when a pending request passes its deadline, then it ends timeout and leaves the queue', async () => {
    const id = await submit(url, { timeout_seconds: 0.3 });
    expect((await status(url, id)).status).toBe('pending');
    const s = await until(() => status(url, id), terminal, 5000);
    expect(s.status).toBe('timeout');
    expect(s.error).toMatch(/timed out after .* waiting in the queue/);
    const b = await stack.backplane();
    expect(await b.queues.pendingCount('property')).toBe(0);
  });

  it('when a pending request is canceled, then it ends canceled; a second cancel is 409, unknown 404, bad id 400', async () => {
    const id = await submit(url, {});
    const c = await http(`${url}/async/status/${id}`, { method: 'DELETE' });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ result: 'Request canceled successfully' });
    expect(await status(url, id)).toMatchObject({
      status: 'canceled',
      error: 'Request was canceled while pending',
    });
    const again = await http(`${url}/async/cancel/${id}`, { method: 'DELETE' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ detail: { code: 'ALREADY_FINISHED', status: 'canceled' } });
    const unknown = await http(`${url}/async/cancel/3f0b3c52-8d7e-4c1e-9a54-0d1f7f3b2a11`, {
      method: 'DELETE',
    });
    expect(unknown.status).toBe(404);
    const bad = await http(`${url}/async/status/..%2F..%2Fetc%2Fpasswd`, { method: 'DELETE' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ detail: { code: 'BAD_REQUEST' } });
  });

  it('when a legacy request waits, then get_result warns it is in the queue; once canceled, error is an object', async () => {
    const legacy = await http(`${url}/service`, {
      body: {
        service_type: 'get_molecule_property',
        service_name: 'test echo',
        parameters: { property_type: ['length'], subjects: ['C'] },
        async: true,
      },
    });
    const id = legacy.body as string;
    const get = () => http(`${url}/service`, { body: { service_type: 'get_result', url: id } });
    expect((await get()).body).toEqual({ warning: { reason: 'job is still in the queue' } });
    await http(`${url}/async/cancel/${id}`, { method: 'DELETE' });
    const after = await get();
    expect(after.status).toBe(200);
    expect(after.body).toEqual({
      error: { reason: 'Request was canceled while pending', status: 'canceled' },
    });
  });

  it('when MAX_QUEUE_SIZE requests are pending, then a submission gets 503 with Retry-After and is not enqueued', async () => {
    const b = await stack.backplane();
    const before = await b.queues.pendingCount('property');
    for (let i = before; i < 3; i += 1) await submit(url, {});
    const full = await http(`${url}/service`, {
      body: {
        service_type: 'get_molecule_property',
        service_name: 'test echo',
        parameters: { property_type: ['length'], subjects: ['C'] },
        async: true,
        use_enhanced_async: true,
      },
    });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('5');
    expect(full.body).toMatchObject({ detail: { code: 'QUEUE_FULL', max_queue_size: 3 } });
    expect(await b.queues.pendingCount('property')).toBe(3);
  });
});

describe('processing timeouts and cancels on a worker', () => {
  const stack = new TestStack({ env: { OPENAD_ASYNC_SYNC_WAIT_SECONDS: '1' } });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
    await stack.startWorker();
  });
  afterAll(() => stack.close());

  it('when a slow model runs past the deadline, then the worker aborts it and records timeout', async () => {
    const started = Date.now();
    const id = await submit(url, { timeout_seconds: 0.5 }, { delay_ms: 10000 });
    const s = await until(() => status(url, id), terminal, 5000);
    expect(s.status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('when a model blocks its thread past the deadline, then the request ends timeout and the worker serves the next', async () => {
    const started = Date.now();
    const hung = await submit(url, { timeout_seconds: 0.5 }, { busy_ms: 20000 });
    const s = await until(() => status(url, hung), terminal, 5000);
    expect(s.status).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
    const next = await submit(url, {}, {});
    const served = await until(() => status(url, next), terminal, 5000);
    expect(served).toMatchObject({ status: 'completed' });
    expect(served).not.toHaveProperty('error');
  });

  it('when a processing request is canceled, then it is aborted on its worker and ends canceled', async () => {
    const id = await submit(url, {}, { delay_ms: 10000 });
    await until(
      () => status(url, id),
      (s) => s.status === 'processing',
    );
    const c = await http(`${url}/async/status/${id}`, { method: 'DELETE' });
    expect(c.status).toBe(200);
    expect(await status(url, id)).toMatchObject({
      status: 'canceled',
      error: 'Request was canceled while processing',
    });
  });

  it('when a sync request outlives SYNC_WAIT_SECONDS, then 504 names the request_id and the job goes on', async () => {
    const res = await http(`${url}/service`, {
      body: {
        service_type: 'get_molecule_property',
        service_name: 'test echo',
        parameters: { property_type: ['length'], subjects: ['CC'], delay_ms: 1500 },
      },
    });
    expect(res.status).toBe(504);
    const id = (res.body as { detail: { request_id: string; code: string } }).detail.request_id;
    expect((res.body as { detail: { code: string } }).detail.code).toBe('SYNC_WAIT_EXCEEDED');
    const s = await until(() => status(url, id), terminal, 5000);
    expect(s.status).toBe('completed');
  });
});
