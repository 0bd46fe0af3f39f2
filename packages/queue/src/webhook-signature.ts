import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How callbacks are signed. The receiver recomputes
 * `HMAC-SHA256(secret, "<timestamp>.<raw body>")` (hex) and compares it with the signature
 * header, after checking that the timestamp is recent (replays of an old delivery fail).
 */
export const WEBHOOK_HEADERS = {
  /** `sha256=<hex>` */
  signature: 'x-openad-signature',
  /** Unix seconds when the delivery was signed. */
  timestamp: 'x-openad-timestamp',
  /** The request the callback is about. */
  requestId: 'x-openad-request-id',
  /** `<request_id>:<attempt>`: the same delivery retried keeps its request id, not this. */
  delivery: 'x-openad-delivery',
} as const;

/**
 * The signing secret of one API key: HMAC-SHA256(server secret, "webhook:" + owner tag), hex.
 * Derived, not stored: every replica computes the same, a key sees only its own, and rotating
 * the server secret rotates all of them. Requests submitted without a key use the tag
 * "anonymous".
 */
export function webhookSecretFor(serverSecret: string, owner: string | null): string {
  return createHmac('sha256', serverSecret)
    .update(`webhook:${owner ?? 'anonymous'}`)
    .digest('hex');
}

/** The signature header value for `body` sent at `timestampSeconds`. */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** Checks a delivery as a receiver would; false for a wrong signature or a stale timestamp. */
export function verifyWebhook(
  secret: string,
  body: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  o: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || headers.signature === undefined) return false;
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (o.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
