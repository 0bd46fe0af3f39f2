import { http, TestStack } from '../support/stack';

const A = 'key-rate-alice-0123456789';
const B = 'key-rate-bob-0123456789ab';
const as = (key: string) => ({ 'x-api-key': key });

describe('the per-key rate limit (OPENAD_ASYNC_RATE_LIMIT_PER_MINUTE)', () => {
  const stack = new TestStack({
    env: { OPENAD_ASYNC_API_KEYS: `${A},${B}`, OPENAD_ASYNC_RATE_LIMIT_PER_MINUTE: '4' },
  });
  let one: string;
  let two: string;
  beforeAll(async () => {
    one = await stack.startApi();
    two = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when one key spreads its requests over two api replicas, then the limit is shared: the 5th in a minute is 429 with Retry-After', async () => {
    const statuses = [];
    for (const url of [one, two, one, two]) {
      statuses.push((await http(`${url}/service`, { headers: as(A) })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    for (const url of [one, two]) {
      const refused = await http(`${url}/service`, { headers: as(A) });
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({
        detail: {
          error: 'Rate limit exceeded: at most 4 requests per minute',
          code: 'RATE_LIMITED',
          limit_per_minute: 4,
        },
      });
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
  });

  it('when one key is limited, then another key is not', async () => {
    expect((await http(`${two}/service`, { headers: as(B) })).status).toBe(200);
  });

  it('when a key is limited, then probes and /metrics still answer', async () => {
    for (const path of ['/health', '/healthz', '/readyz', '/metrics']) {
      expect((await http(`${one}${path}`, { headers: as(A) })).status).toBe(200);
    }
  });
});

describe('the rate limit without keys', () => {
  const stack = new TestStack({ env: { OPENAD_ASYNC_RATE_LIMIT_PER_MINUTE: '2' } });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when the api is open, then the limit applies per client address', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await http(`${url}/service`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('when requests come through a proxy on a loopback or private address, then each forwarded client has its own limit', async () => {
    const via = (client: string) => ({ 'x-forwarded-for': client });
    expect((await http(`${url}/service`, { headers: via('203.0.113.7') })).status).toBe(200);
    expect((await http(`${url}/service`, { headers: via('203.0.113.7') })).status).toBe(200);
    expect((await http(`${url}/service`, { headers: via('203.0.113.7') })).status).toBe(429);
    expect((await http(`${url}/service`, { headers: via('203.0.113.8') })).status).toBe(200);
  });
});
