import { PassThrough } from 'node:stream';

import { createLogger } from '@openad-async/telemetry';

import { http, TestStack, until } from '../support/stack';

const KEY = 'key-logs-0123456789abcdef';
const SUBJECT = 'CCOC-private-subject-98765';

/** A real JSON-lines logger whose output the test reads. */
function capture() {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  let raw = '';
  stream.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
    for (let i = raw.indexOf('\n'); i >= 0; i = raw.indexOf('\n')) {
      lines.push(JSON.parse(raw.slice(0, i)) as Record<string, unknown>);
      raw = raw.slice(i + 1);
    }
  });
  return { logger: createLogger({ service: 'test', level: 'info', stream }), lines, stream };
}

describe('logs: JSON lines, one per state change of a request, without bodies or keys', () => {
  const out = capture();
  const stack = new TestStack({ env: { OPENAD_ASYNC_API_KEYS: KEY }, logger: out.logger });
  let url: string;
  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(async () => {
    await stack.close();
    out.stream.end();
  });

  const submit = async (extra: Record<string, unknown> = {}) => {
    const res = await http(`${url}/service`, {
      body: {
        service_type: 'get_molecule_property',
        service_name: 'test echo',
        parameters: { property_type: ['length'], subjects: [SUBJECT] },
        async: true,
        use_enhanced_async: true,
        api_key: KEY,
        ...extra,
      },
    });
    return (res.body as { request_id: string }).request_id;
  };
  const linesOf = (id: string) => out.lines.filter((l) => l.request_id === id);

  it('when a request is canceled while pending, then it logs accepted and ended(canceled), with its service', async () => {
    const id = await submit();
    await http(`${url}/async/cancel/${id}`, { method: 'DELETE', headers: { 'x-api-key': KEY } });
    const lines = linesOf(id);
    expect(lines.map((l) => [l.message, l.status ?? null])).toEqual([
      ['request accepted', null],
      ['request ended', 'canceled'],
    ]);
    for (const l of lines) expect(l).toMatchObject({ service: 'test echo', level: 'info' });
    expect(lines[0]).toMatchObject({
      priority: 'normal',
      key_id: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
  });

  it('when a request runs, then it logs accepted, started and ended once each; worker lines carry worker_id', async () => {
    const worker = await stack.startWorker();
    const id = await submit();
    await until(
      () => http(`${url}/async/status/${id}`, { headers: { 'x-api-key': KEY } }),
      (r) => (r.body as { status: string }).status === 'completed',
    );
    await until(
      async () => linesOf(id).length,
      (n) => n >= 3,
    );
    const lines = linesOf(id);
    expect(lines.map((l) => l.message)).toEqual([
      'request accepted',
      'request started',
      'request ended',
    ]);
    expect(lines[2]).toMatchObject({ status: 'completed' });
    for (const l of lines) expect(l.service).toBe('test echo');
    for (const l of lines.slice(1)) expect(l.worker_id).toBe(worker.id);
  });

  it('then no line holds the key or the subjects', () => {
    const all = out.lines.map((l) => JSON.stringify(l)).join('\n');
    expect(out.lines.length).toBeGreaterThan(5);
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(SUBJECT);
  });
});

describe('logs when no keys are set', () => {
  const out = capture();
  const stack = new TestStack({ logger: out.logger });
  afterAll(async () => {
    await stack.close();
    out.stream.end();
  });

  it('then the api warns at start that every route is open', async () => {
    await stack.startApi();
    const warnings = out.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'auth disabled: OPENAD_ASYNC_API_KEYS is empty, so every route is open',
        'the queue dashboard at /admin/queues is open to anyone',
      ]),
    );
  });
});
