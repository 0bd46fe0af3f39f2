import {
  ApiConflictError,
  ApiNetworkError,
  ApiNotFoundError,
  ApiValidationError,
  OpenadApiError,
  OpenadClient,
  RequestEndedError,
  WaitTimeoutError,
  type StatusStreamEvent,
} from '@openad-async/client';

import { TestStack } from '../support/stack';

describe('the SDK against a real service', () => {
  const stack = new TestStack();
  let client: OpenadClient;

  beforeAll(async () => {
    const url = await stack.startApi();
    await stack.startWorker();
    client = new OpenadClient({ url: `${url}/` });
  });
  afterAll(() => stack.close());

  const echo = (subjects: string[], parameters: Record<string, unknown> = {}) => ({
    service: 'test echo',
    properties: ['length', 'upper'],
    subjects,
    parameters,
  });

  it('when it lists services, then the definitions are typed and cached', async () => {
    const defs = await client.services();
    expect(defs.map((d) => d.service_name)).toEqual(
      expect.arrayContaining(['test echo', 'generate with TestGen']),
    );
    expect(await client.services()).toBe(defs);
    expect(await client.health()).toBe(true);
  });

  it('when a property request is submitted and waited for, then it completes with its rows', async () => {
    const id = await client.submitProperty({
      ...echo(['CCO', 'C']),
      priority: 'high',
      timeoutSeconds: 30,
    });
    const updates: StatusStreamEvent[] = [];
    const record = await client.wait(id, { onUpdate: (u) => updates.push(u) });
    expect(record).toMatchObject({ request_id: id, status: 'completed', priority: 'high' });
    expect(record.result).toEqual([
      { subject: 'CCO', property: 'length', result: 3 },
      { subject: 'C', property: 'length', result: 1 },
      { subject: 'CCO', property: 'upper', result: 'CCO' },
      { subject: 'C', property: 'upper', result: 'C' },
    ]);
    const states = updates.flatMap((u) => (u.type === 'status' ? [u.record.status] : []));
    expect(states.at(-1)).toBe('completed');
    expect((await client.status(id)).status).toBe('completed');
  });

  it('when predict and generate are used, then they return the result itself', async () => {
    expect(await client.predict({ ...echo(['CC']), properties: ['length'] })).toEqual([
      { subject: 'CC', property: 'length', result: 2 },
    ]);
    expect(
      await client.generate({
        service: 'generate with TestGen',
        sampleSize: 2,
        parameters: { start: 5 },
      }),
    ).toEqual([{ value: 5 }, { value: 6 }]);
  });

  it('when the model fails, then predict throws RequestEndedError with the record', async () => {
    const err = await client.predict(echo(['C'], { fail: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestEndedError);
    expect((err as RequestEndedError).record).toMatchObject({
      status: 'failed',
      error: 'echo model was asked to fail',
    });
  });

  it('when the service refuses a request, then the error class carries its code and fields', async () => {
    const err = await client
      .submitProperty({ ...echo(['C']), properties: ['no_such_property'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiValidationError);
    expect((err as ApiValidationError).code).toBe('VALIDATION_FAILED');
    expect((err as ApiValidationError).issues[0]?.loc).toContain('property_type');

    const missing = await client
      .status('6f1c1d4e-0000-4000-8000-000000000000')
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiNotFoundError);
    expect((missing as ApiNotFoundError).code).toBe('NOT_FOUND');

    const bad = await client.status('not-a-uuid').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenadApiError);
    expect((bad as OpenadApiError).code).toBe('BAD_REQUEST');
  });

  it('when a running request is canceled, then it ends canceled and a second cancel conflicts', async () => {
    const id = await client.submitProperty(echo(['C'], { delay_ms: 20000 }));
    const processing = await client.wait(id, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(processing).toBeInstanceOf(WaitTimeoutError);
    const result = await client.cancel(id);
    expect(result.request_id).toBe(id);
    expect((await client.wait(id, { timeoutMs: 10000 })).status).toBe('canceled');
    await expect(client.cancel(id)).rejects.toBeInstanceOf(ApiConflictError);
  });

  it('when a wait is aborted, then it rejects with the abort reason and the request goes on', async () => {
    const id = await client.submitProperty(echo(['C'], { delay_ms: 300 }));
    const abort = new AbortController();
    const waiting = client.wait(id, { signal: abort.signal, mode: 'poll' });
    abort.abort(new Error('user gave up'));
    await expect(waiting).rejects.toThrow('user gave up');
    expect((await client.wait(id, { mode: 'poll', pollInitialMs: 50 })).status).toBe('completed');
  });

  it('when it reads stats, then both services are there', async () => {
    const stats = await client.stats();
    expect(stats.property_service.queue.total_requests).toBeGreaterThan(0);
    expect(stats.generation_service.queue.status_counts).toHaveProperty('completed');
    expect(stats.config).toHaveProperty('max_queue_size');
  });

  it('when nothing listens at the URL, then calls fail with a network error', async () => {
    const offline = new OpenadClient({ url: 'http://127.0.0.1:9', timeoutMs: 2000 });
    const err = await offline.stats().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiNetworkError);
    expect((err as ApiNetworkError).code).toBe('NETWORK');
    expect(await offline.health()).toBe(false);
  });
});
