import type { Config } from '@openad-async/config';
import { NotFoundError } from '@openad-async/contracts';
import { WEBHOOK_HEADERS, webhookSecretFor } from '@openad-async/queue';

import type { HandlerRequest, HandlerResult } from '../http/handler';

/**
 * `GET /async/webhook-secret`: the caller's signing secret, to verify the callbacks of the
 * requests it submits. Each key has its own (derived from the server secret and the key's
 * owner tag), so one client cannot sign as the service towards another. Without API keys
 * every caller is the same anonymous party and gets the same secret.
 */
export function webhookSecret(config: Pick<Config, 'webhooks'>) {
  return async (
    req: HandlerRequest & { principal?: { owner: string | null } },
  ): Promise<HandlerResult> => {
    const serverSecret = config.webhooks.secret;
    if (serverSecret === null) {
      throw new NotFoundError('Callbacks are not enabled on this service');
    }
    return {
      headers: { 'Cache-Control': 'no-store' },
      body: {
        secret: webhookSecretFor(serverSecret, req.principal?.owner ?? null),
        algorithm: 'HMAC-SHA256',
        signature_header: WEBHOOK_HEADERS.signature,
        timestamp_header: WEBHOOK_HEADERS.timestamp,
        signed_payload: '<timestamp>.<raw body>',
        signature_format: 'sha256=<hex>',
      },
    };
  };
}
