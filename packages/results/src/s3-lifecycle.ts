import {
  GetBucketLifecycleConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  type GetBucketLifecycleConfigurationCommandOutput,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Logger } from '@openad-async/telemetry';

export interface ExpiryRule {
  bucket: string;
  /** Key prefix the rule applies to, e.g. `env/results/`. */
  keyPrefix: string;
  days: number;
}

/**
 * Makes sure the bucket expires `keyPrefix` after `days`, keeping every other rule: the put
 * replaces the whole lifecycle configuration, and the bucket may be shared. Servers without
 * lifecycle support (s3rver answers 501) or credentials without the permission only cost
 * storage, since reads enforce `expires_at` anyway, so those are warnings.
 */
export async function ensureExpiryRule(
  client: S3Client,
  { bucket, keyPrefix, days }: ExpiryRule,
  logger: Logger,
): Promise<void> {
  const id = `openad-async expire ${keyPrefix}`.slice(0, 255);
  const fields = { bucket, prefix: keyPrefix, days };
  try {
    const current = await readRules(client, bucket);
    const mine = current.rules.find((r) => r.ID === id);
    if (
      mine?.Status === 'Enabled' &&
      mine.Expiration?.Days === days &&
      mine.Filter?.Prefix === keyPrefix
    ) {
      return;
    }
    const rule: LifecycleRule = {
      ID: id,
      Status: 'Enabled',
      Filter: { Prefix: keyPrefix },
      Expiration: { Days: days },
    };
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: [...current.rules.filter((r) => r.ID !== id), rule] },
        TransitionDefaultMinimumObjectSize: current.minimumObjectSize,
      }),
    );
    logger.info('result expiry lifecycle rule set', fields);
  } catch (error) {
    if (!isUnsupportedOrDenied(error)) throw error;
    logger.warn('cannot set result expiry lifecycle rule; expired records stay until removed', {
      ...fields,
      error,
    });
  }
}

async function readRules(
  client: S3Client,
  bucket: string,
): Promise<{
  rules: LifecycleRule[];
  minimumObjectSize: GetBucketLifecycleConfigurationCommandOutput['TransitionDefaultMinimumObjectSize'];
}> {
  try {
    const out = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    return { rules: out.Rules ?? [], minimumObjectSize: out.TransitionDefaultMinimumObjectSize };
  } catch (error) {
    if (errorName(error) === 'NoSuchLifecycleConfiguration') {
      return { rules: [], minimumObjectSize: undefined };
    }
    throw error;
  }
}

function isUnsupportedOrDenied(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NotImplemented' || name === 'AccessDenied' || httpStatus(error) === 501;
}

function errorName(error: unknown): unknown {
  return (error as { name?: unknown } | null)?.name;
}

function httpStatus(error: unknown): number | undefined {
  const meta = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return meta?.httpStatusCode;
}
