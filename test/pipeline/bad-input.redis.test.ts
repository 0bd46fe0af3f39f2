import { http, TestStack } from '../support/stack';

const good = {
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['C'] },
  async: true,
  use_enhanced_async: true,
};

describe('bad input is a clear 4xx in the detail shape, and never enqueued', () => {
  const stack = new TestStack({ env: { OPENAD_ASYNC_MAX_BODY_KB: '8' } });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  const cases: Array<[string, unknown, (string | number)[]]> = [
    ['unknown service_type', { ...good, service_type: 'get_weather' }, ['body', 'service_type']],
    ['unknown service_name', { ...good, service_name: 'nope' }, ['body', 'service_name']],
    [
      'unknown property',
      { ...good, parameters: { property_type: ['colour'], subjects: ['C'] } },
      ['body', 'parameters', 'property_type', 0],
    ],
    [
      'missing property_type',
      { ...good, parameters: { subjects: ['C'] } },
      ['body', 'parameters', 'property_type'],
    ],
    [
      'empty subjects',
      { ...good, parameters: { property_type: ['length'], subjects: [] } },
      ['body', 'parameters', 'subjects'],
    ],
    [
      'subjects not a list',
      { ...good, parameters: { property_type: ['length'], subjects: 'C' } },
      ['body', 'parameters', 'subjects'],
    ],
    ['numeric priority', { ...good, priority: 2 }, ['body', 'priority']],
    ['unknown priority', { ...good, priority: 'urgent' }, ['body', 'priority']],
    ['negative timeout', { ...good, timeout_seconds: -1 }, ['body', 'timeout_seconds']],
    ['timeout as words', { ...good, timeout_seconds: 'soon' }, ['body', 'timeout_seconds']],
    [
      'bad model parameter type',
      { ...good, parameters: { ...good.parameters, delay_ms: 'slow' } },
      ['body', 'parameters', 'delay_ms'],
    ],
    [
      'model parameter out of range',
      { ...good, parameters: { ...good.parameters, delay_ms: -5 } },
      ['body', 'parameters', 'delay_ms'],
    ],
    ['async not boolean', { ...good, async: 'maybe' }, ['body', 'async']],
    ['sample_size not digits', { ...good, sample_size: '12a' }, ['body', 'sample_size']],
    ['get_result without a reference', { service_type: 'get_result' }, ['body', 'request_id']],
    ['body is an array', [good], ['body']],
    ['body is a string', 'hello', ['body']],
  ];

  it.each(cases)('when the body has %s, then 422 names the field', async (_name, body, loc) => {
    const res = await http(`${url}/service`, { body });
    expect(res.status).toBe(422);
    const detail = (res.body as { detail: Array<{ loc: unknown[]; msg: string; type: string }> })
      .detail;
    expect(Array.isArray(detail)).toBe(true);
    expect(detail.map((d) => d.loc)).toContainEqual(loc);
    expect(detail.every((d) => typeof d.msg === 'string' && d.msg.length > 0)).toBe(true);
  });

  it('when the JSON is malformed, then 422 json_invalid', async () => {
    const res = await http(`${url}/service`, { raw: '{"service_type": "get_molecule_property",' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ detail: [{ type: 'json_invalid', loc: ['body'] }] });
  });

  it('when the body is over the limit, then 413 in the detail shape', async () => {
    const res = await http(`${url}/service`, {
      body: {
        ...good,
        parameters: { property_type: ['length'], subjects: Array(2000).fill('CCCCCC') },
      },
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ detail: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('when a path id is not a UUID, then 400 and it never reaches a key or a file', async () => {
    for (const id of ['abc', '..%2F..%2Fetc%2Fpasswd', '%00', 'x'.repeat(500)]) {
      const res = await http(`${url}/async/status/${id}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        detail: { code: 'BAD_REQUEST', error: 'Invalid request id: must be a UUID' },
      });
    }
  });

  it('when a route does not exist, then 404 in the detail shape', async () => {
    const res = await http(`${url}/nope`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ detail: { code: 'NOT_FOUND' } });
  });

  it('when a request is unknown, then status says 404 Request not found with its id', async () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const res = await http(`${url}/async/status/${id}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ detail: { error: 'Request not found', request_id: id } });
  });

  it('after all of that, nothing was enqueued and no answer leaked a stack trace', async () => {
    const b = await stack.backplane();
    expect(await b.queues.pendingCount('property')).toBe(0);
    expect(await b.redis.get(b.keys.totalRequests('property'))).toBeNull();
  });
});
