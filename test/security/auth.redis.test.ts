import { randomUUID } from 'node:crypto';

import { http, TestStack } from '../support/stack';

const USER = 'user-key-auth-0123456789';
const ADMIN = 'admin-key-auth-0123456789';
const WRONG = 'wrong-key-auth-0123456789';

const submission = {
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['C'] },
  async: true,
  use_enhanced_async: true,
};

describe('when OPENAD_ASYNC_API_KEYS and _ADMIN_KEYS are set', () => {
  const stack = new TestStack({
    env: { OPENAD_ASYNC_API_KEYS: USER, OPENAD_ASYNC_ADMIN_KEYS: ADMIN },
  });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  const id = randomUUID();
  // Every row has a body slot: jest would hand a shorter row's test a `done` callback instead.
  const protectedRoutes: Array<[string, string, unknown]> = [
    ['GET', '/service', undefined],
    ['POST', '/service', submission],
    ['POST', '/service', { service_type: 'get_result', request_id: id }],
    ['GET', '/async/status/:id', undefined],
    ['DELETE', '/async/status/:id', undefined],
    ['DELETE', '/async/cancel/:id', undefined],
    ['GET', '/async/stats', undefined],
  ];

  it.each(protectedRoutes)(
    'then %s %s without a key is 401 with a Bearer challenge',
    async (method, path, body) => {
      const res = await http(`${url}${path.replace(':id', id)}`, { method, body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: { error: expect.any(String), code: 'UNAUTHORIZED' } });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    },
  );

  it.each(protectedRoutes)('then %s %s with a wrong key is 403', async (method, path, body) => {
    const res = await http(`${url}${path.replace(':id', id)}`, {
      method,
      body,
      headers: { authorization: `Bearer ${WRONG}` },
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: { error: 'Invalid API key', code: 'FORBIDDEN' } });
  });

  it.each([
    ['/health', 'UP'],
    ['/healthz', { status: 'ok' }],
    ['/readyz', expect.objectContaining({ status: 'ready' })],
  ])('then the probe %s answers without a key', async (path, expected) => {
    const res = await http(`${url}${path}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expected);
  });

  it('then the API description, its UI and /metrics answer without a key', async () => {
    for (const path of ['/openapi.json', '/docs', '/metrics']) {
      expect((await http(`${url}${path}`)).status).toBe(200);
    }
  });

  it('then a key is accepted as Bearer, as X-API-Key, and as api_key in the POST /service body', async () => {
    expect(
      (await http(`${url}/service`, { headers: { authorization: `Bearer ${USER}` } })).status,
    ).toBe(200);
    expect((await http(`${url}/service`, { headers: { 'x-api-key': USER } })).status).toBe(200);
    const viaBody = await http(`${url}/service`, { body: { ...submission, api_key: USER } });
    expect(viaBody.status).toBe(200);
    expect(viaBody.body).toEqual({ request_id: expect.any(String) });
    const wrongInBody = await http(`${url}/service`, { body: { ...submission, api_key: WRONG } });
    expect(wrongInBody.status).toBe(403);
  });

  it('then a header key wins over a stale api_key in the body', async () => {
    const res = await http(`${url}/service`, {
      body: { ...submission, api_key: WRONG },
      headers: { 'x-api-key': USER },
    });
    expect(res.status).toBe(200);
  });

  it('then /async/stats needs the admin key, and the admin key also works on user routes', async () => {
    const asUser = await http(`${url}/async/stats`, { headers: { 'x-api-key': USER } });
    expect(asUser.status).toBe(403);
    expect(asUser.body).toEqual({ detail: { error: 'Admin key required', code: 'FORBIDDEN' } });
    expect((await http(`${url}/async/stats`, { headers: { 'x-api-key': ADMIN } })).status).toBe(
      200,
    );
    expect((await http(`${url}/service`, { headers: { 'x-api-key': ADMIN } })).status).toBe(200);
  });

  it('then the configured keys never appear in /async/stats or /openapi.json', async () => {
    const stats = await http(`${url}/async/stats`, { headers: { 'x-api-key': ADMIN } });
    const doc = await http(`${url}/openapi.json`);
    for (const text of [JSON.stringify(stats.body), JSON.stringify(doc.body)]) {
      expect(text).not.toContain(USER);
      expect(text).not.toContain(ADMIN);
    }
  });
});

describe('when only OPENAD_ASYNC_API_KEYS is set', () => {
  const stack = new TestStack({ env: { OPENAD_ASYNC_API_KEYS: USER } });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('then /async/stats takes an API key', async () => {
    expect((await http(`${url}/async/stats`, { headers: { 'x-api-key': USER } })).status).toBe(200);
  });

  it("then the dashboard is closed even to API keys (it shows every key's requests)", async () => {
    const res = await http(`${url}/admin/queues`, { headers: { 'x-api-key': USER } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ detail: { code: 'FORBIDDEN' } });
  });
});
