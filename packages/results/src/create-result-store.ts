import type { Logger } from '@openad-async/telemetry';

import { FsResultStore } from './fs-result-store';
import type { ResultStore } from './result-store';
import { S3ResultStore, type S3ResultStoreOptions } from './s3-result-store';

/** Shaped like `Config['results']`, so an app passes `config.results` as it is. */
export interface CreateResultStoreOptions {
  /** @defaultValue 'fs' */
  store?: 'fs' | 's3';
  /** @defaultValue 24 */
  ttlHours?: number;
  /** Directory store base directory. @defaultValue '/tmp/openad_async_results' */
  dir?: string;
  /** Directory store sweep period. @defaultValue 3600 */
  cleanupIntervalSeconds?: number;
  /** Required when `store` is 's3'. */
  s3?: Omit<S3ResultStoreOptions, 'ttlHours' | 'now'> | null;
  /** Clock in epoch ms, for tests. @defaultValue Date.now */
  now?: () => number;
}

/** Builds (does not start) the configured store; call `start()` before use. */
export function createResultStore(options: CreateResultStoreOptions, logger: Logger): ResultStore {
  const { store = 'fs', ttlHours, now } = options;
  if (store === 's3') {
    if (!options.s3) {
      throw new TypeError('createResultStore: store "s3" needs the s3 options (bucket, …)');
    }
    return new S3ResultStore({ ...options.s3, ttlHours, now }, logger);
  }
  return new FsResultStore(
    { ttlHours, now, dir: options.dir, cleanupIntervalSeconds: options.cleanupIntervalSeconds },
    logger,
  );
}
