/** Headers of a callback delivery (lower-case, as Node and fetch give them). */
export const WEBHOOK_SIGNATURE_HEADER = 'x-openad-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-openad-timestamp';

export interface VerifyWebhookOptions {
  /** The key's secret, from `GET /async/webhook-secret` (`client.webhookSecret()`). */
  secret: string;
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string;
  /** `X-OpenAD-Signature`: `sha256=<hex>`. */
  signature: string | null | undefined;
  /** `X-OpenAD-Timestamp`: Unix seconds. */
  timestamp: string | null | undefined;
  /** Oldest (or furthest ahead) a delivery may be, seconds: replays of old ones fail. @defaultValue 300 */
  toleranceSeconds?: number;
  /** @defaultValue the current time */
  nowSeconds?: number;
}

/**
 * Checks that a callback came from the service: HMAC-SHA256 of `"<timestamp>.<body>"` with the
 * key's secret must equal the signature, and the timestamp must be recent. Uses Web Crypto, so
 * it runs in Node 20+, browsers and edge runtimes alike.
 */
export async function verifyWebhook(o: VerifyWebhookOptions): Promise<boolean> {
  const ts = Number(o.timestamp);
  if (!o.signature?.startsWith('sha256=') || !Number.isInteger(ts)) return false;
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (o.toleranceSeconds ?? 300)) return false;
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(o.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const given = fromHex(o.signature.slice('sha256='.length));
  if (given === null) return false;
  // subtle.verify compares in constant time.
  return crypto.subtle.verify('HMAC', key, given, encoder.encode(`${ts}.${o.body}`));
}

function fromHex(hex: string): Uint8Array | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
