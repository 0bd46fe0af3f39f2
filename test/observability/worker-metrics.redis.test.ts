import { http, TestStack, until } from '../support/stack';

const echo = (extra: Record<string, unknown> = {}) => ({
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['C'], ...extra },
  async: true,
  use_enhanced_async: true,
  priority: 'high',
});

function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(/,(?=\w+=)/);
    if (wanted.every((w) => have.includes(w))) return Number(match[3]);
  }
  return undefined;
}

describe('a worker with OPENAD_ASYNC_WORKER_METRICS_PORT', () => {
  const stack = new TestStack();
  let url: string;
  let metricsUrl: string;
  beforeAll(async () => {
    url = await stack.startApi();
    const worker = await stack.startWorker({ metricsPort: 0 });
    expect(worker.metricsPort).toEqual(expect.any(Number));
    metricsUrl = `http://127.0.0.1:${worker.metricsPort}`;
  });
  afterAll(() => stack.close());

  it('when it runs, then GET /healthz is 200', async () => {
    const res = await http(`${metricsUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect((await http(`${metricsUrl}/nope`)).status).toBe(404);
  });

  it('when jobs ran, then queue wait, model load and processing are separate histograms, and the cache is counted', async () => {
    for (const fail of [false, true, false]) {
      const { request_id } = (await http(`${url}/service`, { body: echo({ fail }) })).body as {
        request_id: string;
      };
      await until(
        () => http(`${url}/async/status/${request_id}`),
        (r) => ['completed', 'failed'].includes((r.body as { status: string }).status),
      );
    }
    const res = await fetch(`${metricsUrl}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(
      sample(text, 'openad_async_job_queue_wait_seconds_count', {
        queue: 'property',
        priority: 'high',
      }),
    ).toBe(3);
    expect(sample(text, 'openad_async_model_load_seconds_count', { model: 'test-echo' })).toBe(1);
    expect(
      sample(text, 'openad_async_model_load_seconds_sum', { model: 'test-echo' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'openad_async_job_processing_seconds_count', {
        queue: 'property',
        service: 'test echo',
        status: 'completed',
      }),
    ).toBe(2);
    expect(
      sample(text, 'openad_async_jobs_total', {
        queue: 'property',
        service: 'test echo',
        priority: 'high',
        status: 'failed',
      }),
    ).toBe(1);
    expect(sample(text, 'openad_async_model_cache_misses_total')).toBe(1);
    expect(sample(text, 'openad_async_model_cache_hits_total')).toBe(2);
    expect(sample(text, 'openad_async_model_cache_evictions_total')).toBe(0);
    expect(sample(text, 'openad_async_models_loaded', { state: 'loaded' })).toBe(1);
    expect(sample(text, 'openad_async_models_loaded_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'openad_async_worker_active_jobs')).toBe(0);
    expect(
      sample(text, 'openad_async_event_loop_lag_seconds', { stat: 'max' }),
    ).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(
      /openad_async_worker_info\{worker_id="[^"]+",queues="property,generation"/,
    );
  });

  it('when the worker closes, then its metrics port closes with it', async () => {
    const worker = await stack.startWorker({ metricsPort: 0 });
    const port = worker.metricsPort;
    expect((await http(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await worker.close(1000);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
