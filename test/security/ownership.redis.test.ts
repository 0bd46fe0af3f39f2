import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { http, TestStack, until } from '../support/stack';

const A = 'key-of-alice-0123456789';
const B = 'key-of-bob-0123456789ab';
const ADMIN = 'key-of-admin-0123456789';
const as = (key: string) => ({ 'x-api-key': key });

const submission = {
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['CCO'] },
  async: true,
  use_enhanced_async: true,
};

/** Everything a caller can ask about one request id, answered for `key`. */
async function probe(url: string, id: string, key: string) {
  const status = await http(`${url}/async/status/${id}`, { headers: as(key) });
  const byUrl = await http(`${url}/service`, {
    body: { service_type: 'get_result', url: id },
    headers: as(key),
  });
  const byId = await http(`${url}/service`, {
    body: { service_type: 'get_result', request_id: id },
    headers: as(key),
  });
  return { status, byUrl, byId };
}

async function cancels(url: string, id: string, key: string) {
  return Promise.all(
    ['status', 'cancel'].map((path) =>
      http(`${url}/async/${path}/${id}`, { method: 'DELETE', headers: as(key) }),
    ),
  );
}

/** What a request that does not exist looks like, with its id swapped in. */
async function unknownAnswers(url: string, id: string, key: string) {
  const ghost = randomUUID();
  const swap = (v: unknown) => JSON.parse(JSON.stringify(v).split(ghost).join(id)) as unknown;
  const { status, byUrl, byId } = await probe(url, ghost, key);
  const [c1, c2] = await cancels(url, ghost, key);
  return {
    status: [status.status, swap(status.body)],
    byUrl: [byUrl.status, swap(byUrl.body)],
    byId: [byId.status, swap(byId.body)],
    cancel: [c1!.status, swap(c1!.body), c2!.status, swap(c2!.body)],
  };
}

async function answers(url: string, id: string, key: string) {
  const { status, byUrl, byId } = await probe(url, id, key);
  const [c1, c2] = await cancels(url, id, key);
  return {
    status: [status.status, status.body],
    byUrl: [byUrl.status, byUrl.body],
    byId: [byId.status, byId.body],
    cancel: [c1!.status, c1!.body, c2!.status, c2!.body],
  };
}

describe('a request belongs to the key that submitted it', () => {
  const stack = new TestStack({
    env: { OPENAD_ASYNC_API_KEYS: `${A},${B}`, OPENAD_ASYNC_ADMIN_KEYS: ADMIN },
  });
  let url: string;
  let pendingId: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when another key asks about a pending request, then every answer is that of a request that does not exist, and nothing changes', async () => {
    const res = await http(`${url}/service`, { body: submission, headers: as(A) });
    pendingId = (res.body as { request_id: string }).request_id;
    const unknown = await unknownAnswers(url, pendingId, B);
    expect(unknown.status[0]).toBe(404);
    expect(unknown.byUrl).toEqual([200, { error: { reason: 'job does not exist' } }]);
    expect(await answers(url, pendingId, B)).toEqual(unknown);
    // An admin key is a key like the others here: it sees its own requests only.
    expect(await answers(url, pendingId, ADMIN)).toEqual(unknown);
    const own = await http(`${url}/async/status/${pendingId}`, { headers: as(A) });
    expect(own.body).toMatchObject({ request_id: pendingId, status: 'pending' });
  });

  it('when another key opens the live status stream of a request, then it is 404 like an unknown one', async () => {
    const stranger = await http(`${url}/async/status/${pendingId}/events`, { headers: as(B) });
    const ghost = randomUUID();
    const unknown = await http(`${url}/async/status/${ghost}/events`, { headers: as(B) });
    expect(stranger.status).toBe(404);
    expect(stranger.body).toEqual(
      JSON.parse(JSON.stringify(unknown.body).split(ghost).join(pendingId)) as unknown,
    );
    const abort = new AbortController();
    const own = await fetch(`${url}/async/status/${pendingId}/events`, {
      headers: as(A),
      signal: abort.signal,
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toMatch(/text\/event-stream/);
    abort.abort();
    await own.body?.cancel().catch(() => undefined);
  });

  it('when the owner cancels its pending request, then it is canceled, and still invisible to others', async () => {
    const res = await http(`${url}/service`, { body: submission, headers: as(A) });
    const id = (res.body as { request_id: string }).request_id;
    const cancel = await http(`${url}/async/cancel/${id}`, { method: 'DELETE', headers: as(A) });
    expect(cancel.status).toBe(200);
    expect((await http(`${url}/async/status/${id}`, { headers: as(A) })).body).toMatchObject({
      status: 'canceled',
    });
    expect(await answers(url, id, B)).toEqual(await unknownAnswers(url, id, B));
  });

  it('when the request completes, then only its owner reads the result, and the record holds a hash of the key, never the key', async () => {
    await stack.startWorker();
    const done = await until(
      () => http(`${url}/async/status/${pendingId}`, { headers: as(A) }),
      (r) => (r.body as { status: string }).status === 'completed',
    );
    expect(done.body).toMatchObject({
      status: 'completed',
      result: [{ subject: 'CCO', property: 'length', result: 3 }],
    });
    expect(done.body).not.toHaveProperty('owner');
    const byId = await http(`${url}/service`, {
      body: { service_type: 'get_result', request_id: pendingId },
      headers: as(A),
    });
    expect(byId.body).not.toHaveProperty('owner');
    expect(
      (
        await http(`${url}/service`, {
          body: { service_type: 'get_result', url: pendingId },
          headers: as(A),
        })
      ).body,
    ).toEqual([{ subject: 'CCO', property: 'length', result: 3 }]);

    expect(await answers(url, pendingId, B)).toEqual(await unknownAnswers(url, pendingId, B));
    const ownCancel = await http(`${url}/async/status/${pendingId}`, {
      method: 'DELETE',
      headers: as(A),
    });
    expect(ownCancel.status).toBe(409);

    const files = readdirSync(stack.dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.includes(pendingId))
      .map((f) => readFileSync(join(stack.dir, f), 'utf8'));
    expect(files).toHaveLength(1);
    expect(JSON.parse(files[0]!)).toMatchObject({
      owner: createHash('sha256').update(A).digest('hex'),
    });
    expect(files[0]).not.toContain(A);
  });

  it('when another key tries to cancel a processing request, then it is 404 and the request goes on', async () => {
    const res = await http(`${url}/service`, {
      body: { ...submission, parameters: { ...submission.parameters, delay_ms: 1500 } },
      headers: as(B),
    });
    const id = (res.body as { request_id: string }).request_id;
    await until(
      () => http(`${url}/async/status/${id}`, { headers: as(B) }),
      (r) => (r.body as { status: string }).status === 'processing',
    );
    const [c1, c2] = await cancels(url, id, A);
    expect([c1!.status, c2!.status]).toEqual([404, 404]);
    const done = await until(
      () => http(`${url}/async/status/${id}`, { headers: as(B) }),
      (r) => (r.body as { status: string }).status !== 'processing',
    );
    expect(done.body).toMatchObject({ status: 'completed' });
  });
});
