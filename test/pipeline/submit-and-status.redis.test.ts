import { http, TestStack, until } from '../support/stack';

const echo = (extra: Record<string, unknown> = {}, parameters: Record<string, unknown> = {}) => ({
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['CCO', 'c1ccccc1'], ...parameters },
  ...extra,
});

describe('submission modes and status', () => {
  const stack = new TestStack();
  let url: string;

  beforeAll(async () => {
    url = await stack.startApi();
    await stack.startWorker();
  });
  afterAll(() => stack.close());

  it('when a request is submitted async with use_enhanced_async, then it completes with rows property-major', async () => {
    const submitted = await http(`${url}/service`, {
      body: echo({ async: true, use_enhanced_async: true }, { property_type: ['length', 'upper'] }),
    });
    expect(submitted.status).toBe(200);
    const { request_id } = submitted.body as { request_id: string };
    expect(request_id).toMatch(/^[0-9a-f-]{36}$/);
    const status = await until(
      () => http(`${url}/async/status/${request_id}`),
      (r) => (r.body as { status: string }).status === 'completed',
    );
    const body = status.body as Record<string, unknown>;
    expect(body).toMatchObject({ request_id, status: 'completed', priority: 'normal' });
    expect(body.result).toEqual([
      { subject: 'CCO', property: 'length', result: 3 },
      { subject: 'c1ccccc1', property: 'length', result: 8 },
      { subject: 'CCO', property: 'upper', result: 'CCO' },
      { subject: 'c1ccccc1', property: 'upper', result: 'C1CCCCC1' },
    ]);
    for (const k of ['created_at', 'started_at', 'completed_at', 'expires_at']) {
      expect(body[k]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    expect(body.elapsed_time).toMatch(/^\d+\.\d\ds$/);
    expect(body.processing_time).toMatch(/^\d+\.\d\ds$/);
  });

  it('when a request is sync, then the answer is the result itself', async () => {
    const res = await http(`${url}/service`, { body: echo() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { subject: 'CCO', property: 'length', result: 3 },
      { subject: 'c1ccccc1', property: 'length', result: 8 },
    ]);
  });

  it('when a sync request fails in its model, then the body carries error.reason', async () => {
    const res = await http(`${url}/service`, { body: echo({}, { fail: 'True' }) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      error: { reason: 'echo model was asked to fail', status: 'failed' },
    });
  });

  it('when an async request fails, then its status is failed with the model message, never not-found', async () => {
    const { body } = await http(`${url}/service`, {
      body: echo({ async: true, use_enhanced_async: true }, { fail: true }),
    });
    const id = (body as { request_id: string }).request_id;
    const status = await until(
      () => http(`${url}/async/status/${id}`),
      (r) =>
        (r.body as { status: string }).status !== 'pending' &&
        (r.body as { status: string }).status !== 'processing',
    );
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'failed', error: 'echo model was asked to fail' });
    expect(status.body).not.toHaveProperty('result');
  });

  it('when legacy async is used, then the id is a bare string and get_result walks the states', async () => {
    const submitted = await http(`${url}/service`, {
      body: echo({ async: true }, { delay_ms: 600 }),
    });
    expect(typeof submitted.body).toBe('string');
    const id = submitted.body as string;
    const running = await until(
      () => http(`${url}/service`, { body: { service_type: 'get_result', url: id } }),
      (r) => JSON.stringify(r.body).includes('still running'),
    );
    expect(running.body).toEqual({ warning: { reason: 'job is still running' } });
    const done = await until(
      () => http(`${url}/service`, { body: { service_type: 'get_result', url: id } }),
      (r) => Array.isArray(r.body),
    );
    expect(done.status).toBe(200);
    expect(done.body).toHaveLength(2);
    const enhanced = await http(`${url}/service`, {
      body: { service_type: 'get_result', request_id: id },
    });
    expect(enhanced.body).toMatchObject({ request_id: id, status: 'completed' });
  });

  it('when get_result names an unknown or malformed id, then it answers job does not exist', async () => {
    for (const ref of ['9b2f7c1e-9a0e-4a53-a7f4-8c6f3a1d2b00', '../../etc/passwd']) {
      const res = await http(`${url}/service`, { body: { service_type: 'get_result', url: ref } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ error: { reason: 'job does not exist' } });
    }
  });

  it('when a generation request sends sample_size as a string, then it is honoured', async () => {
    const res = await http(`${url}/service`, {
      body: {
        service_type: 'generate_data',
        service_name: 'generate with TestGen',
        parameters: { start: '5' },
        sample_size: '4',
      },
    });
    expect(res.body).toEqual([{ value: 5 }, { value: 6 }, { value: 7 }, { value: 8 }]);
  });

  it('answers /health with UP, also for a double slash, and lists services', async () => {
    const h = await http(`${url}//health`);
    expect(h.status).toBe(200);
    expect(h.body).toBe('UP');
    const services = await http(`${url}/service`);
    expect(services.status).toBe(200);
    const defs = services.body as Array<Record<string, unknown>>;
    expect(defs.map((d) => d.service_name).sort()).toEqual(['generate with TestGen', 'test echo']);
    const echoDef = defs.find((d) => d.service_name === 'test echo')!;
    expect(echoDef).toMatchObject({
      service_type: 'get_molecule_property',
      valid_types: ['length', 'upper'],
      category: 'properties',
      sub_category: 'test',
      async_allow: true,
      required_parameters: [],
      subject: 'SMILES',
    });
    expect(Object.keys(echoDef.parameters as object)).toEqual(['delay_ms', 'fail', 'busy_ms']);
    expect((echoDef.parameters as Record<string, { type: string }>).fail!.type).toBe('boolean');
  });

  it('answers /readyz 200 while Redis and the store are up', async () => {
    const r = await http(`${url}/readyz`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ready', checks: { redis: 'ok', result_store: 'ok' } });
  });
});
