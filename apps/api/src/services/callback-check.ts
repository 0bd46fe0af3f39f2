import type { Config } from '@openad-async/config';
import { ValidationError } from '@openad-async/contracts';
import { CallbackRefusedError, resolveCallbackTarget } from '@openad-async/queue';

/**
 * A submission's `callback_url`, accepted or refused with a 422 naming the field: callbacks
 * need a webhook secret, and (unless private targets are allowed) a public address, so the
 * service cannot be used to reach its own network. The worker checks again before each
 * delivery, since a name can resolve elsewhere later.
 */
export async function checkCallbackUrl(
  url: string,
  config: Pick<Config, 'webhooks'>,
): Promise<string> {
  if (config.webhooks.secret === null) {
    throw ValidationError.single(
      ['body', 'callback_url'],
      'callbacks are not enabled on this service (no OPENAD_ASYNC_WEBHOOK_SECRET)',
      url,
    );
  }
  try {
    await resolveCallbackTarget(url, { allowPrivate: config.webhooks.allowPrivate });
  } catch (err) {
    if (err instanceof CallbackRefusedError) {
      throw ValidationError.single(['body', 'callback_url'], err.message, url);
    }
    throw err;
  }
  return url;
}
