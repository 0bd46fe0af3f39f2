import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { pinnedLookup, type ResolvedAddress } from './webhook-address';

export interface WebhookAnswer {
  status: number;
}

/**
 * POSTs one callback to a checked target, connecting only to its checked addresses (the TLS
 * name is still the URL's host). Resolves with the answer's status whatever it is; rejects on
 * a connection failure or when `timeoutMs` passes. Redirects are not followed: a redirect to
 * an internal address would undo the address check.
 */
export function postWebhook(
  target: { url: URL; addresses: readonly ResolvedAddress[] },
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<WebhookAnswer> {
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target.url,
      {
        method: 'POST',
        lookup: pinnedLookup(target.addresses),
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'openad-async-webhook/1',
          ...headers,
        },
        timeout: timeoutMs,
      },
      (res) => {
        // The answer's body is not used; read it so the socket is freed.
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.once('error', reject);
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.once('close', () => clearTimeout(timer));
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end(body);
  });
}
