import { http, TestStack } from '../support/stack';

const KEY = 'key-hardening-0123456789';
const ALLOWED = 'https://app.example';

describe('security headers, CORS and the body limit', () => {
  const stack = new TestStack({
    env: {
      OPENAD_ASYNC_API_KEYS: KEY,
      OPENAD_ASYNC_CORS_ORIGINS: `${ALLOWED},https://other.example`,
      OPENAD_ASYNC_MAX_BODY_KB: '4',
    },
  });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when any route answers, then it carries the security headers and no X-Powered-By', async () => {
    for (const path of ['/health', '/service', '/docs', '/nowhere']) {
      const res = await http(`${url}${path}`, { headers: { 'x-api-key': KEY } });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('when a browser preflights from an allowed origin, then it is answered without a key', async () => {
    const res = await fetch(`${url}/service`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/X-API-Key/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('when a request comes from an allowed origin, then the answer allows it; from another, it does not', async () => {
    const allowed = await http(`${url}/service`, {
      headers: { origin: ALLOWED, 'x-api-key': KEY },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    const other = await http(`${url}/service`, {
      headers: { origin: 'https://evil.example', 'x-api-key': KEY },
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${url}/service`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('when a body is over OPENAD_ASYNC_MAX_BODY_KB, then it is 413 in the detail shape', async () => {
    const res = await http(`${url}/service`, {
      raw: JSON.stringify({ service_type: 'get_result', url: 'x'.repeat(5000) }),
      headers: { 'x-api-key': KEY },
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ detail: { code: 'PAYLOAD_TOO_LARGE' } });
  });
});
