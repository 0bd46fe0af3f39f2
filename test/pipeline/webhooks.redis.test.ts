import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { OpenadClient, verifyWebhook } from '@openad-async/client';
import { createRedis, closeRedis } from '@openad-async/queue';
import { silentLogger } from '@openad-async/telemetry';

import { WebhookDelivery } from '../../apps/worker/src/webhook-delivery';
import { http, TestStack, until } from '../support/stack';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local receiver: records each delivery and answers the next status of `answers` (then 200). */
class Receiver {
  readonly deliveries: Delivery[] = [];
  answers: number[] = [];
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      this.deliveries.push({ headers: req.headers, body });
      res.statusCode = this.answers.shift() ?? 200;
      res.end('ok');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  for(id: string): Delivery[] {
    return this.deliveries.filter((d) => d.headers['x-openad-request-id'] === id);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const SECRET = 'webhook-test-secret-'.padEnd(40, 'x');
const echo = (callback_url: string, extra: Record<string, unknown> = {}) => ({
  service_type: 'get_molecule_property',
  service_name: 'test echo',
  parameters: { property_type: ['length'], subjects: ['CCO'] },
  async: true,
  use_enhanced_async: true,
  callback_url,
  ...extra,
});

async function submit(url: string, body: unknown): Promise<string> {
  const res = await http(`${url}/service`, { body });
  if (res.status !== 200) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { request_id: string }).request_id;
}

const callbackOf = (url: string, id: string) =>
  http(`${url}/async/status/${id}`).then(
    (r) => (r.body as { callback?: { status: string; attempts: number } }).callback,
  );

describe('webhooks: delivery', () => {
  // Local receivers live on 127.0.0.1, so this service allows private targets (see the next suite).
  const stack = new TestStack({
    env: {
      OPENAD_ASYNC_WEBHOOK_SECRET: SECRET,
      OPENAD_ASYNC_CALLBACK_ALLOW_PRIVATE: 'true',
      OPENAD_ASYNC_WEBHOOK_MAX_ATTEMPTS: '3',
      OPENAD_ASYNC_WEBHOOK_BACKOFF_SECONDS: '0.1',
    },
  });
  const receiver = new Receiver();
  let url: string;
  let hook: string;

  beforeAll(async () => {
    url = await stack.startApi();
    // Generation has no worker here, so generation requests stay pending until the api ends them.
    await stack.startWorker({ queues: ['property'] });
    hook = `${await receiver.start()}/hook`;
  });
  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it('when a request completes, then the receiver gets one signed delivery of its status object', async () => {
    const client = new OpenadClient({ url });
    const id = await client.submitProperty({
      service: 'test echo',
      properties: ['length'],
      subjects: ['CCO'],
      callbackUrl: hook,
    });
    const callback = await until(
      () => callbackOf(url, id),
      (c) => c?.status === 'delivered',
    );
    expect(callback).toMatchObject({
      url: hook,
      status: 'delivered',
      attempts: 1,
      response_status: 200,
    });
    const [delivery, ...more] = receiver.for(id);
    expect(more).toHaveLength(0);
    const body = JSON.parse(delivery!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      request_id: id,
      status: 'completed',
      result: [{ subject: 'CCO', property: 'length', result: 3 }],
    });
    expect(body).not.toHaveProperty('callback');
    expect(body).not.toHaveProperty('owner');
    expect(delivery!.headers['content-type']).toBe('application/json');

    const secret = await client.webhookSecret();
    const signed = {
      secret,
      body: delivery!.body,
      signature: delivery!.headers['x-openad-signature'] as string,
      timestamp: delivery!.headers['x-openad-timestamp'] as string,
    };
    expect(signed.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    await expect(verifyWebhook(signed)).resolves.toBe(true);
    // Forgeries: another body under the same signature, or a signature made with another secret.
    await expect(
      verifyWebhook({ ...signed, body: signed.body.replace('"completed"', '"failed"') }),
    ).resolves.toBe(false);
    await expect(verifyWebhook({ ...signed, secret: 'f'.repeat(64) })).resolves.toBe(false);

    // Still one, a while later: nothing delivers twice.
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.for(id)).toHaveLength(1);
  });

  it('when the receiver fails once, then the delivery is retried and succeeds', async () => {
    receiver.answers = [503];
    const id = await submit(url, echo(hook));
    const callback = await until(
      () => callbackOf(url, id),
      (c) => c?.status === 'delivered',
    );
    expect(callback).toMatchObject({ status: 'delivered', attempts: 2, response_status: 200 });
    expect(receiver.for(id)).toHaveLength(2);
  });

  it('when the receiver keeps failing, then delivery stops after the attempts and says why', async () => {
    receiver.answers = [500, 500, 500];
    const id = await submit(url, echo(hook));
    const callback = await until(
      () => callbackOf(url, id),
      (c) => c?.status === 'failed',
    );
    expect(callback).toMatchObject({
      status: 'failed',
      attempts: 3,
      response_status: 500,
      error: 'receiver answered HTTP 500',
    });
    expect(receiver.for(id)).toHaveLength(3);
  });

  it('when the api ends a request (pending cancel, pending timeout), then its callback is delivered too', async () => {
    const generation = (extra: Record<string, unknown>) => ({
      service_type: 'generate_data',
      service_name: 'generate with TestGen',
      parameters: {},
      async: true,
      use_enhanced_async: true,
      callback_url: hook,
      ...extra,
    });
    const canceled = await submit(url, generation({}));
    expect((await http(`${url}/async/status/${canceled}`, { method: 'DELETE' })).status).toBe(200);
    const timedOut = await submit(url, generation({ timeout_seconds: 0.3 }));
    for (const [id, status] of [
      [canceled, 'canceled'],
      [timedOut, 'timeout'],
    ] as const) {
      await until(
        () => callbackOf(url, id),
        (c) => c?.status === 'delivered',
      );
      const deliveries = receiver.for(id);
      expect(deliveries).toHaveLength(1);
      expect(JSON.parse(deliveries[0]!.body)).toMatchObject({ request_id: id, status });
    }
  });

  it('when the callback URL is not http(s) or carries credentials, then submission is a 422 naming it', async () => {
    for (const bad of ['ftp://127.0.0.1/x', 'not a url', 'http://user:pw@127.0.0.1/']) {
      const res = await http(`${url}/service`, { body: echo(bad) });
      expect(res.status).toBe(422);
      expect(JSON.stringify(res.body)).toContain('callback_url');
    }
  });
});

describe('webhooks: private addresses', () => {
  const stack = new TestStack({ env: { OPENAD_ASYNC_WEBHOOK_SECRET: SECRET } });
  const receiver = new Receiver();
  let url: string;
  let local: string;

  beforeAll(async () => {
    url = await stack.startApi();
    local = await receiver.start();
  });
  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  it.each([
    ['loopback', (l: string) => `${l}/hook`],
    ['localhost', (l: string) => l.replace('127.0.0.1', 'localhost')],
    ['IPv6 loopback', () => 'http://[::1]:8080/'],
    ['a private network', () => 'http://10.0.0.1/hook'],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['IPv4-mapped loopback', () => 'http://[::ffff:127.0.0.1]/'],
  ])(
    'when a callback points to %s, then it is refused by default with a 422 naming callback_url',
    async (_what, make) => {
      const res = await http(`${url}/service`, { body: echo(make(local)) });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        detail: [{ loc: ['body', 'callback_url'], msg: expect.stringContaining('private') }],
      });
    },
  );

  it('when refused, then nothing was queued and nothing reached the address', async () => {
    const stats = (await http(`${url}/async/stats`)).body as {
      property_service: { queue: { total_requests: number } };
    };
    expect(stats.property_service.queue.total_requests).toBe(0);
    expect(receiver.deliveries).toHaveLength(0);
  });
});

describe('webhooks: checked again at delivery', () => {
  // The api accepts private targets, the delivering worker does not: as when a name that was
  // public at submission resolves to an internal address by the time the request ends.
  const stack = new TestStack({
    env: { OPENAD_ASYNC_WEBHOOK_SECRET: SECRET, OPENAD_ASYNC_CALLBACK_ALLOW_PRIVATE: 'true' },
  });
  const receiver = new Receiver();
  const connection = createRedis({ url: stack.config.redis.url, mode: 'blocking' });
  const delivery = new WebhookDelivery({
    connection,
    prefix: stack.prefix,
    store: stack.store(),
    logger: silentLogger,
    secret: SECRET,
    allowPrivate: false,
  });
  let url: string;

  beforeAll(async () => {
    url = await stack.startApi();
    delivery.start();
  });
  afterAll(async () => {
    await delivery.close();
    await closeRedis(connection);
    await stack.close();
    await receiver.close();
  });

  it('when the target is private at delivery time, then it is not called and the status says so', async () => {
    const hook = `${await receiver.start()}/hook`;
    const id = await submit(url, echo(hook));
    await http(`${url}/async/status/${id}`, { method: 'DELETE' });
    const callback = await until(
      () => callbackOf(url, id),
      (c) => c?.status === 'failed',
    );
    expect(callback).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: expect.stringContaining('private'),
    });
    expect(receiver.deliveries).toHaveLength(0);
  });
});

describe('webhooks: not configured', () => {
  const stack = new TestStack();
  let url: string;

  beforeAll(async () => {
    url = await stack.startApi();
  });
  afterAll(() => stack.close());

  it('when no webhook secret is set, then callbacks are refused and there is no secret to get', async () => {
    const res = await http(`${url}/service`, { body: echo('https://example.com/hook') });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      detail: [{ loc: ['body', 'callback_url'], msg: expect.stringContaining('not enabled') }],
    });
    expect((await http(`${url}/async/webhook-secret`)).status).toBe(404);
  });
});
