import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { http, TestStack, until } from '../support/stack';

const echo = {
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['CCO'] },
  async: true,
  use_enhanced_async: true,
};

/** Submits one request, waits for it to complete, and deletes its record from the store. */
async function completedThenRecordDeleted(stack: TestStack, url: string): Promise<string> {
  const submitted = await http(`${url}/service`, { body: echo });
  const id = (submitted.body as { request_id: string }).request_id;
  await until(
    () => http(`${url}/async/status/${id}`),
    (r) => (r.body as { status: string }).status === 'completed',
  );
  await rm(join(stack.store().dir, 'results', `${id}.json`));
  return id;
}

describe('finished records cached by the api (OPENAD_ASYNC_RECORD_CACHE_MB)', () => {
  const cached = new TestStack();
  const uncached = new TestStack({ env: { OPENAD_ASYNC_RECORD_CACHE_MB: '0' } });
  let cachedUrl: string;
  let uncachedUrl: string;

  beforeAll(async () => {
    cachedUrl = await cached.startApi();
    await cached.startWorker();
    uncachedUrl = await uncached.startApi();
    await uncached.startWorker();
  });
  afterAll(async () => {
    await cached.close();
    await uncached.close();
  });

  it('when a finished request is polled again, then this replica answers from memory, without the store', async () => {
    const id = await completedThenRecordDeleted(cached, cachedUrl);
    const again = await http(`${cachedUrl}/async/status/${id}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ request_id: id, status: 'completed' });
    expect((again.body as { result: unknown }).result).toEqual([
      { subject: 'CCO', property: 'length', result: 3 },
    ]);
  });

  it('when the cache is off, then every poll reads the store (the deleted record is gone)', async () => {
    const id = await completedThenRecordDeleted(uncached, uncachedUrl);
    const again = await http(`${uncachedUrl}/async/status/${id}`);
    expect(again.status).toBe(404);
  });

  it('when a replica never read the record, then it reads the store, not another replica cache', async () => {
    const second = await cached.startApi();
    const id = await completedThenRecordDeleted(cached, cachedUrl);
    expect((await http(`${cachedUrl}/async/status/${id}`)).status).toBe(200);
    expect((await http(`${second}/async/status/${id}`)).status).toBe(404);
  });
});
