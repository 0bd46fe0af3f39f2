import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApiAuthError, ApiNotFoundError, OpenadClient, verifyWebhook } from '@openad-async/client';

import { TestStack, until } from '../support/stack';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';

describe('live status and webhooks with API keys', () => {
  const stack = new TestStack({
    env: {
      OPENAD_ASYNC_API_KEYS: `${KEY_A},${KEY_B}`,
      OPENAD_ASYNC_WEBHOOK_SECRET: 'auth-test-webhook-secret-'.padEnd(40, 'x'),
      OPENAD_ASYNC_CALLBACK_ALLOW_PRIVATE: 'true',
    },
  });
  const deliveries: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body });
      res.end();
    });
  });
  let url: string;
  let hook: string;

  beforeAll(async () => {
    url = await stack.startApi();
    await stack.startWorker();
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await stack.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('when another key or no key asks for the event stream, then it is 404 or 401 as for the status', async () => {
    const a = new OpenadClient({ url, apiKey: KEY_A });
    const id = await a.submitProperty({
      service: 'test echo',
      properties: ['length'],
      subjects: ['C'],
      parameters: { delay_ms: 200 },
    });
    const asB = new OpenadClient({ url, apiKey: KEY_B });
    await expect(asB.events(id).next()).rejects.toBeInstanceOf(ApiNotFoundError);
    const anonymous = new OpenadClient({ url });
    await expect(anonymous.events(id).next()).rejects.toBeInstanceOf(ApiAuthError);
    const record = await a.wait(id, { mode: 'sse' });
    expect(record).toMatchObject({ request_id: id, status: 'completed' });
    expect(record).not.toHaveProperty('owner');
  });

  it('when each key asks for its webhook secret, then they differ and only the submitter verifies its callback', async () => {
    const a = new OpenadClient({ url, apiKey: KEY_A });
    const b = new OpenadClient({ url, apiKey: KEY_B });
    const [secretA, secretB] = [await a.webhookSecret(), await b.webhookSecret()];
    expect(secretA).not.toBe(secretB);
    const id = await a.submitProperty({
      service: 'test echo',
      properties: ['length'],
      subjects: ['C'],
      callbackUrl: hook,
    });
    const delivery = await until(
      async () => deliveries.find((d) => d.headers['x-openad-request-id'] === id),
      (d) => d !== undefined,
    );
    const signed = {
      body: delivery!.body,
      signature: delivery!.headers['x-openad-signature'] as string,
      timestamp: delivery!.headers['x-openad-timestamp'] as string,
    };
    await expect(verifyWebhook({ ...signed, secret: secretA })).resolves.toBe(true);
    await expect(verifyWebhook({ ...signed, secret: secretB })).resolves.toBe(false);
    expect(JSON.parse(delivery!.body)).not.toHaveProperty('owner');
  });
});
