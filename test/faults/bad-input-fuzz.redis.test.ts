import { Agent, request } from 'node:http';
import { connect } from 'node:net';

import fc from 'fast-check';

import { badRequests, type BadRequest } from '../support/bad-requests';
import { echoRequest, submit, type ApiProcess } from '../support/cluster';
import { FaultRig } from '../support/fault-rig';
import { http } from '../support/stack';

const CASES = 2000;

interface Answer {
  status: number;
  body: string;
  contentType: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function send(base: URL, r: BadRequest): Promise<Answer> {
  if (r.raw) return sendRaw(base, r.raw);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.path,
        agent,
        headers: { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            contentType: String(res.headers['content-type'] ?? ''),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Writes bytes as they are and reads the answer until the rig.server closes the connection. */
function sendRaw(base: URL, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(10000, () => socket.destroy(new Error('raw request: no answer in 10 s')));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // Some answers keep the connection open; one complete JSON answer is enough.
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /content-length: (\d+)\r\n[\s\S]*?\r\n\r\n([\s\S]*)$/i.exec(text);
      if (m && Buffer.byteLength(m[2]!) >= Number(m[1])) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0),
        body: rest.join('\r\n\r\n'),
        contentType: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '',
      });
    });
    socket.write(bytes);
  });
}

/** The answer must be a client error in the service's error shape. */
function checkRejected(r: BadRequest, a: Answer): void {
  const where = `${r.kind}: ${r.method} ${r.path.slice(0, 80)} → ${a.status} ${a.body.slice(0, 200)}`;
  if (a.status >= 500 || a.status < 200) throw new Error(`server error or no answer; ${where}`);
  let body: unknown;
  try {
    body = JSON.parse(a.body);
  } catch {
    throw new Error(`answer is not JSON; ${where}`);
  }
  if (a.status < 300) {
    // get_result answers 200 for a reference it cannot find (the OpenAD client expects that).
    if (r.may200 && JSON.stringify(body) === '{"error":{"reason":"job does not exist"}}') return;
    throw new Error(`a bad request was accepted; ${where}`);
  }
  if (a.status >= 300 && a.status < 400) throw new Error(`redirected; ${where}`);
  const detail = (body as { detail?: unknown } | null)?.detail;
  const ok = Array.isArray(detail)
    ? detail.length > 0 &&
      detail.every(
        (d: { loc?: unknown; msg?: unknown; type?: unknown }) =>
          Array.isArray(d.loc) && typeof d.msg === 'string' && typeof d.type === 'string',
      )
    : typeof (detail as { error?: unknown } | undefined)?.error === 'string' &&
      typeof (detail as { code?: unknown }).code === 'string';
  if (!ok) throw new Error(`error not in the {"detail": …} shape; ${where}`);
}

describe('bad input at volume (property-based)', () => {
  let rig: FaultRig;
  let api: ApiProcess;

  beforeAll(async () => {
    // No worker: anything that got enqueued would stay visible in Redis.
    rig = await FaultRig.start({});
    api = await rig.cluster.startApi();
  }, 60000);

  afterAll(async () => {
    agent.destroy();
    await rig?.close();
  }, 30000);

  it(`when ${CASES} generated bad requests arrive, then none gets a 5xx, every error is {"detail": …}, nothing is enqueued, and the api stays healthy`, async () => {
    const base = new URL(api.url);
    const baseline = await rig.redis.dbsize();
    const statuses = new Map<number, number>();
    const kinds = new Map<string, number>();
    let cases = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(badRequests, async (r) => {
        const a = await send(base, r);
        cases += 1;
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
        checkRejected(r, a);
        const keys = await rig.redis.dbsize();
        if (keys !== baseline) {
          throw new Error(`Redis went from ${baseline} to ${keys} keys after ${r.kind}`);
        }
      }),
      { numRuns: CASES },
    );
    const tookMs = Date.now() - started;

    expect(cases).toBeGreaterThanOrEqual(CASES);
    expect((await http(`${api.url}/healthz`)).status).toBe(200);
    expect((await http(`${api.url}/readyz`)).status).toBe(200);
    expect(api.child.exitCode).toBeNull();
    expect(api.output()).not.toContain('unhandled error');
    // Still serving real work: a good request is accepted (and is the first job ever queued).
    await submit(api.url, echoRequest());
    expect(await rig.redis.get(`${rig.cluster.prefix}:property:oa:total`)).toBe('1');
    console.log(
      `fuzz: ${cases} bad requests in ${tookMs} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; kinds ${JSON.stringify(Object.fromEntries(kinds))}`,
    );
  }, 120000);
});
