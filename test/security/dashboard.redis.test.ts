import { http, TestStack } from '../support/stack';

const USER = 'key-dash-user-0123456789';
const ADMIN = 'key-dash-admin-0123456789';
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('the queue dashboard at /admin/queues', () => {
  const stack = new TestStack({
    env: { OPENAD_ASYNC_API_KEYS: USER, OPENAD_ASYNC_ADMIN_KEYS: ADMIN },
  });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when no key is sent, then it is 401 with a Basic challenge, so a browser asks for the key', async () => {
    const res = await http(`${url}/admin/queues`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(res.body).toMatchObject({ detail: { code: 'UNAUTHORIZED' } });
  });

  it('when an API key (not an admin key) is sent, then it is 403', async () => {
    const res = await http(`${url}/admin/queues/api/queues`, { headers: { 'x-api-key': USER } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: { error: 'Admin key required', code: 'FORBIDDEN' } });
  });

  it('when the admin key is sent (Bearer, or as Basic password), then the board and its API answer', async () => {
    const page = await http(`${url}/admin/queues`, { headers: basic('ops', ADMIN) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(String(page.body)).toContain('<title>openad-async</title>');
    // Its scripts come from this server (relative to <base href="/admin/queues/">), behind the key.
    const script = /<script defer src="(static\/js\/main[^"]+)"/.exec(String(page.body))?.[1];
    expect(script).toBeDefined();
    expect((await http(`${url}/admin/queues/${script}`)).status).toBe(401);
    expect(
      (await http(`${url}/admin/queues/${script}`, { headers: basic('ops', ADMIN) })).status,
    ).toBe(200);
    const queues = await http(`${url}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(queues.status).toBe(200);
    const list = (queues.body as { queues: Array<{ name: string; readOnlyMode: boolean }> }).queues;
    expect(list.map((q) => [q.name, q.readOnlyMode]).sort()).toEqual([
      ['generation', true],
      ['property', true],
    ]);
  });

  it('when it is read-only (the default), then a change is refused and the queue stays as it was', async () => {
    const res = await http(`${url}/admin/queues/api/queues/property/pause`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ detail: { code: 'FORBIDDEN' } });
    const backplane = await stack.backplane();
    expect(await backplane.queues.queues.property.isPaused()).toBe(false);
  });
});

describe('the queue dashboard with OPENAD_ASYNC_DASHBOARD_READONLY=false', () => {
  const stack = new TestStack({
    env: { OPENAD_ASYNC_ADMIN_KEYS: ADMIN, OPENAD_ASYNC_DASHBOARD_READONLY: 'false' },
  });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when the admin pauses and resumes a queue, then the queue follows', async () => {
    const headers = { authorization: `Bearer ${ADMIN}` };
    const backplane = await stack.backplane();
    const pause = await http(`${url}/admin/queues/api/queues/property/pause`, {
      method: 'PUT',
      headers,
    });
    expect(pause.status).toBe(200);
    expect(await backplane.queues.queues.property.isPaused()).toBe(true);
    const resume = await http(`${url}/admin/queues/api/queues/property/resume`, {
      method: 'PUT',
      headers,
    });
    expect(resume.status).toBe(200);
    expect(await backplane.queues.queues.property.isPaused()).toBe(false);
  });

  it('when only admin keys are set, then the wire API stays open but the board does not', async () => {
    expect((await http(`${url}/service`)).status).toBe(200);
    expect((await http(`${url}/admin/queues`)).status).toBe(401);
  });
});
