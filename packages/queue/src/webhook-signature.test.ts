import { signWebhook, verifyWebhook, webhookSecretFor } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = webhookSecretFor('s'.repeat(40), 'owner-a');
  const body = '{"request_id":"x","status":"completed"}';

  it('when each key has its secret, then they differ and are stable', () => {
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(webhookSecretFor('s'.repeat(40), 'owner-a')).toBe(secret);
    expect(webhookSecretFor('s'.repeat(40), 'owner-b')).not.toBe(secret);
    expect(webhookSecretFor('s'.repeat(40), null)).not.toBe(secret);
    expect(webhookSecretFor('t'.repeat(40), 'owner-a')).not.toBe(secret);
  });

  it('when a delivery is signed, then the receiver verifies it, and any change fails', () => {
    const signature = signWebhook(secret, 1700000000, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    const check = (b: string, sig: string, ts: string, s = secret) =>
      verifyWebhook(s, b, { signature: sig, timestamp: ts }, { nowSeconds: 1700000010 });
    expect(check(body, signature, '1700000000')).toBe(true);
    expect(check(`${body} `, signature, '1700000000')).toBe(false);
    expect(check(body, signature, '1700000001')).toBe(false);
    expect(check(body, signature, '1700000000', webhookSecretFor('s'.repeat(40), 'owner-b'))).toBe(
      false,
    );
    expect(check(body, 'sha256=00', '1700000000')).toBe(false);
  });

  it('when a delivery is older than the tolerance, then it fails (no replays)', () => {
    const signature = signWebhook(secret, 1700000000, body);
    expect(
      verifyWebhook(
        secret,
        body,
        { signature, timestamp: '1700000000' },
        { nowSeconds: 1700000000 + 301 },
      ),
    ).toBe(false);
  });
});
