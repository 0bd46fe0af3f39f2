import { createHmac } from 'node:crypto';

import { verifyWebhook } from './webhook-verify';

/** The service's scheme, written out here independently of the service's code. */
const sign = (secret: string, ts: number, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;

describe('verifyWebhook', () => {
  const secret = 'a'.repeat(64);
  const body = '{"request_id":"r","status":"completed"}';
  const now = 1_700_000_000;

  it('when the signature matches the body and the time is recent, then it is valid', async () => {
    await expect(
      verifyWebhook({
        secret,
        body,
        signature: sign(secret, now, body),
        timestamp: String(now),
        nowSeconds: now + 5,
      }),
    ).resolves.toBe(true);
  });

  it.each([
    ['another body', { body: `${body}x` }],
    ['another secret', { secret: 'b'.repeat(64) }],
    ['another timestamp', { timestamp: String(now + 1) }],
    ['no signature', { signature: undefined }],
    ['a malformed signature', { signature: 'sha256=zz' }],
    ['a stale delivery', { nowSeconds: now + 301 }],
  ])('when it has %s, then it is not valid', async (_what, change) => {
    await expect(
      verifyWebhook({
        secret,
        body,
        signature: sign(secret, now, body),
        timestamp: String(now),
        nowSeconds: now,
        ...change,
      }),
    ).resolves.toBe(false);
  });
});
