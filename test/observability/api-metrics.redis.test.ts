import { http, TestStack, until } from '../support/stack';

const ADMIN = 'key-metrics-admin-0123456789';

const submission = (priority: string, extra: Record<string, unknown> = {}) => ({
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['C'] },
  async: true,
  use_enhanced_async: true,
  priority,
  ...extra,
});

/** The value of one sample of the exposition text, or undefined. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(/,(?=\w+=)/);
    if (wanted.every((w) => have.includes(w))) return Number(match[3]);
  }
  return undefined;
}

describe('the api /metrics', () => {
  const stack = new TestStack({ env: { OPENAD_ASYNC_ADMIN_KEYS: ADMIN } });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  const scrape = async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };

  it('when nothing is queued, then every queue and priority reports 0 and Redis is up', async () => {
    const text = await scrape();
    for (const queue of ['property', 'generation']) {
      for (const priority of ['low', 'normal', 'high', 'critical']) {
        expect(sample(text, 'openad_async_queue_depth', { queue, priority })).toBe(0);
      }
      expect(sample(text, 'openad_async_queue_oldest_pending_age_seconds', { queue })).toBe(0);
    }
    expect(sample(text, 'openad_async_redis_up')).toBe(1);
  });

  it('when requests wait with no worker, then queue_depth counts them per priority and the oldest age grows', async () => {
    for (const p of ['high', 'high', 'low', 'CRITICAL']) {
      expect((await http(`${url}/service`, { body: submission(p) })).status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 300));
    const text = await scrape();
    const depth = (priority: string) =>
      sample(text, 'openad_async_queue_depth', { queue: 'property', priority });
    expect([depth('critical'), depth('high'), depth('normal'), depth('low')]).toEqual([1, 2, 0, 1]);
    expect(
      sample(text, 'openad_async_queue_depth', { queue: 'generation', priority: 'high' }),
    ).toBe(0);
    expect(
      sample(text, 'openad_async_queue_oldest_pending_age_seconds', { queue: 'property' }),
    ).toBeGreaterThanOrEqual(0.3);
    expect(
      sample(text, 'openad_async_requests_total', {
        service: 'test echo',
        priority: 'high',
        outcome: 'accepted',
      }),
    ).toBe(2);
  });

  it('when submissions are refused, then requests_total counts them by outcome with bounded labels', async () => {
    await http(`${url}/service`, { body: submission('high', { service_name: 'no such service' }) });
    await http(`${url}/service`, { body: submission('urgent') });
    const text = await scrape();
    expect(
      sample(text, 'openad_async_requests_total', {
        service: 'unknown',
        priority: 'high',
        outcome: 'rejected',
      }),
    ).toBe(1);
    expect(
      sample(text, 'openad_async_requests_total', {
        service: 'test echo',
        priority: 'unknown',
        outcome: 'rejected',
      }),
    ).toBe(1);
  });

  it('when routes are called, then the latency histogram is labelled by route pattern, never by raw path', async () => {
    const id = (
      (await http(`${url}/service`, { body: submission('normal') })).body as {
        request_id: string;
      }
    ).request_id;
    await http(`${url}/async/status/${id}`);
    await http(`${url}/no/such/${id}`);
    const text = await scrape();
    expect(
      sample(text, 'openad_async_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/async/status/:id',
        status: '200',
      }),
    ).toBe(1);
    expect(
      sample(text, 'openad_async_http_request_duration_seconds_count', {
        route: 'unmatched',
        status: '404',
      }),
    ).toBe(1);
    expect(text).not.toContain(id);
  });

  it('when a worker runs the queue down, then depth returns to 0 and finished requests are counted', async () => {
    await stack.startWorker();
    const text = await until(
      () => scrape(),
      // A request is counted finished at its terminal claim, a moment before its job leaves
      // BullMQ (the record is stored in between): wait for both.
      (t) =>
        sample(t, 'openad_async_requests_finished_total', {
          queue: 'property',
          status: 'completed',
        }) === 5 && sample(t, 'openad_async_queue_active_jobs', { queue: 'property' }) === 0,
    );
    for (const priority of ['low', 'normal', 'high', 'critical']) {
      expect(sample(text, 'openad_async_queue_depth', { queue: 'property', priority })).toBe(0);
    }
    expect(sample(text, 'openad_async_queue_active_jobs', { queue: 'property' })).toBe(0);
    expect(
      sample(text, 'openad_async_event_loop_lag_seconds', { stat: 'p99' }),
    ).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'openad_async_process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('the api /metrics with OPENAD_ASYNC_METRICS_PUBLIC=false', () => {
  const stack = new TestStack({
    env: { OPENAD_ASYNC_ADMIN_KEYS: ADMIN, OPENAD_ASYNC_METRICS_PUBLIC: 'false' },
  });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('then a scraper needs the admin key as bearer token', async () => {
    expect((await http(`${url}/metrics`)).status).toBe(401);
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('openad_async_queue_depth');
  });
});
