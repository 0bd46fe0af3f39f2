import { OpenadClient, type StatusStreamEvent } from '@openad-async/client';

import { http, TestStack, until } from '../support/stack';

const echo = (parameters: Record<string, unknown> = {}) => ({
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['CCO', 'C'], ...parameters },
  async: true,
  use_enhanced_async: true,
});

async function submit(url: string, parameters: Record<string, unknown> = {}): Promise<string> {
  const res = await http(`${url}/service`, { body: echo(parameters) });
  return (res.body as { request_id: string }).request_id;
}

/** Collects a stream's events until it ends (the server closes it after the terminal event). */
async function collect(stream: AsyncIterable<StatusStreamEvent>): Promise<StatusStreamEvent[]> {
  const out: StatusStreamEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

const statuses = (events: StatusStreamEvent[]) =>
  events.flatMap((e) => (e.type === 'status' ? [e.record.status] : []));

function idsIncrease(events: StatusStreamEvent[]): boolean {
  const ids = events.map((e) => (e.id ?? '').split('-').map(Number) as [number, number]);
  return ids.every((id, i) => {
    const prev = ids[i - 1];
    return !prev || id[0] > prev[0] || (id[0] === prev[0] && id[1] > prev[1]);
  });
}

describe('live status (Server-Sent Events)', () => {
  // No worker until a test starts one, so requests wait pending while a client subscribes.
  const stack = new TestStack({ env: { OPENAD_ASYNC_SSE_HEARTBEAT_SECONDS: '0.2' } });
  let a: string;
  let b: string;

  beforeAll(async () => {
    a = await stack.startApi();
    b = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when a job submitted on one replica runs on a worker, then another replica streams every state in order', async () => {
    const id = await submit(a, { delay_ms: 300 });
    const client = new OpenadClient({ url: b });
    const events: StatusStreamEvent[] = [];
    const streamed = (async () => {
      for await (const e of client.events(id)) events.push(e);
    })();
    await until(
      async () => events.length,
      (n) => n >= 1,
    );
    // Generation stays without a worker until the Last-Event-ID test.
    await stack.startWorker({ queues: ['property'] });
    await streamed;
    expect(statuses(events)).toEqual(['pending', 'processing', 'completed']);
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => e.type === 'progress' && e.progress)).toContainEqual({
      done: 2,
      total: 2,
    });
    // Progress comes while processing: after that event, before the terminal one.
    const kinds = events.map((e) => (e.type === 'status' ? e.record.status : 'progress'));
    expect(kinds.indexOf('progress')).toBeGreaterThan(kinds.indexOf('processing'));
    expect(kinds.indexOf('progress')).toBeLessThan(kinds.indexOf('completed'));
    const last = events.at(-1);
    expect(last?.type === 'status' && last.record).toMatchObject({
      request_id: id,
      status: 'completed',
      result: [
        { subject: 'CCO', property: 'length', result: 3 },
        { subject: 'C', property: 'length', result: 1 },
      ],
    });
    expect(idsIncrease(events)).toBe(true);
  });

  it('when a client subscribes after the end, then it gets the terminal state and the stream closes', async () => {
    const id = await submit(a);
    const client = new OpenadClient({ url: b });
    await client.wait(id, { mode: 'poll', pollInitialMs: 50 });
    const events = await collect(client.events(id));
    expect(statuses(events)).toEqual(['completed']);
  });

  it('when a client reconnects with Last-Event-ID, then it gets exactly what it missed', async () => {
    // The generation queue has no worker yet: the request waits until one starts.
    const id = (
      await http(`${a}/service`, {
        body: {
          service_type: 'generate_data',
          service_name: 'generate with TestGen',
          parameters: {},
          sample_size: 2,
          async: true,
          use_enhanced_async: true,
        },
      })
    ).body as { request_id: string };
    const client = new OpenadClient({ url: b });
    const stream = client.events(id.request_id);
    const first = await stream.next();
    expect(first.value).toMatchObject({ type: 'status', record: { status: 'pending' } });
    const seen = first.value as StatusStreamEvent;
    // The client goes away; meanwhile the request runs and ends.
    await stream.return(undefined);
    await stack.startWorker({ queues: ['generation'] });
    await until(
      () => http(`${a}/async/status/${id.request_id}`),
      (r) => (r.body as { status: string }).status === 'completed',
    );
    const missed = await collect(
      client.events(id.request_id, { ...(seen.id ? { lastEventId: seen.id } : {}) }),
    );

    expect(statuses(missed)).toEqual(['processing', 'completed']);
    expect(idsIncrease([seen, ...missed])).toBe(true);
    const processing = missed[0];
    expect(processing?.type === 'status' && processing.record).toMatchObject({
      status: 'processing',
      started_at: expect.any(String),
    });
  });

  it('when a request is canceled, then its stream ends canceled', async () => {
    const id = await submit(a, { delay_ms: 60000 });
    // Pending or already processing when canceled: either way the stream ends canceled.
    const client = new OpenadClient({ url: b });
    const events: StatusStreamEvent[] = [];
    const streamed = (async () => {
      for await (const e of client.events(id)) events.push(e);
    })();
    await until(
      async () => events.length,
      (n) => n >= 1,
    );
    await client.cancel(id);
    await streamed;
    expect(statuses(events).at(-1)).toBe('canceled');
    expect(statuses(events)[0]).toMatch(/pending|processing/);
  });

  it('when nothing happens for a while, then heartbeats keep the stream alive', async () => {
    const id = await submit(a, { delay_ms: 60000 });
    const abort = new AbortController();
    const res = await fetch(`${b}/async/status/${id}/events`, { signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toContain('no-cache');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(': ping')) text += (await reader.read()).value ?? '';
    expect(text).toMatch(/^retry: \d+\n\nid: \d+-\d+\nevent: status\ndata: \{/);
    abort.abort();
    await reader.cancel().catch(() => undefined);
    await http(`${a}/async/status/${id}`, { method: 'DELETE' });
  });

  it('when the id is unknown or malformed, then it answers 404 or 400 as JSON, like the status', async () => {
    const unknown = await http(`${b}/async/status/6f1c1d4e-0000-4000-8000-000000000000/events`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ detail: { code: 'NOT_FOUND' } });
    const bad = await http(`${b}/async/status/nope/events`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ detail: { code: 'BAD_REQUEST' } });
  });
});
