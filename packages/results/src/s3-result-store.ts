import {
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { StatusRecord } from '@openad-async/contracts';
import type { Logger } from '@openad-async/telemetry';

import { positiveOption } from './option-checks';
import { decodeRecord, encodeRecord, isExpired, prepareForPut } from './record-codec';
import { assertRequestId } from './request-id';
import type { ResultStore } from './result-store';
import { ensureExpiryRule } from './s3-lifecycle';

export interface S3ResultStoreOptions {
  /** Hours a record stays readable after it is stored. @defaultValue 24 */
  ttlHours?: number;
  bucket: string;
  /**
   * Key prefix; records are stored at `<prefix>results/<request_id>.json`. A non-empty prefix
   * without a trailing `/` gets one, so `env` and `env/` mean the same. @defaultValue ''
   */
  prefix?: string;
  /** S3-compatible endpoint URL; null or absent = AWS for the region. @defaultValue null */
  endpoint?: string | null;
  /** @defaultValue 'us-east-1' */
  region?: string;
  /** Path-style URLs, which most S3-compatible servers need. @defaultValue false */
  forcePathStyle?: boolean;
  /** Credentials or a provider; absent = the standard AWS chain (env, profile, role). */
  credentials?: S3ClientConfig['credentials'];
  /** Attempts per call including the first, with the SDK's backoff. @defaultValue 3 */
  maxAttempts?: number;
  /** Limit on connecting and on each request, so a hung endpoint cannot stall a worker. @defaultValue 30000 */
  requestTimeoutMs?: number;
  /** Clock in epoch ms, for tests. @defaultValue Date.now */
  now?: () => number;
}

/**
 * Records as JSON objects in an S3 bucket. A lifecycle rule removes them after whole days;
 * reads enforce the exact `expires_at`. Backend errors on put/get propagate so callers retry.
 */
export class S3ResultStore implements ResultStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  /** For messages: the configured endpoint, or "AWS". */
  readonly endpoint: string;
  /** Normalised key prefix (empty or ending in `/`), followed by `results/`. */
  readonly keyPrefix: string;
  private readonly ttlHours: number;
  private readonly now: () => number;
  private readonly client: S3Client;
  private readonly logger: Logger;

  constructor(options: S3ResultStoreOptions, logger: Logger) {
    if (options.bucket.length === 0) {
      throw new TypeError('S3ResultStore option bucket must not be empty');
    }
    this.ttlHours = positiveOption(options.ttlHours ?? 24, 'S3ResultStore', 'ttlHours');
    this.bucket = options.bucket;
    this.endpoint = options.endpoint || 'AWS';
    const prefix = options.prefix ?? '';
    this.keyPrefix = `${prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`}results/`;
    this.now = options.now ?? Date.now;
    this.logger = logger.child({ component: 'result-store', store: 's3', bucket: this.bucket });
    const timeout = positiveOption(
      options.requestTimeoutMs ?? 30_000,
      'S3ResultStore',
      'requestTimeoutMs',
    );
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: positiveOption(options.maxAttempts ?? 3, 'S3ResultStore', 'maxAttempts'),
      requestHandler: {
        connectionTimeout: timeout,
        requestTimeout: timeout,
        throwOnRequestTimeout: true,
      },
      // The default streaming checksums send aws-chunked bodies, which some S3-compatible
      // servers (s3rver among them) store framing and all instead of the object.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async start(): Promise<void> {
    await this.ping();
    await ensureExpiryRule(
      this.client,
      { bucket: this.bucket, keyPrefix: this.keyPrefix, days: Math.ceil(this.ttlHours / 24) },
      this.logger,
    );
  }

  /** The object key of a request's record; throws a TypeError for a non-UUID id. */
  keyFor(requestId: string): string {
    return `${this.keyPrefix}${assertRequestId(requestId)}.json`;
  }

  async put(record: StatusRecord): Promise<StatusRecord> {
    const stored = prepareForPut(record, this.now(), this.ttlHours);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.keyFor(stored.request_id),
        Body: encodeRecord(stored),
        ContentType: 'application/json',
      }),
    );
    return stored;
  }

  async get(requestId: string): Promise<StatusRecord | null> {
    const key = this.keyFor(requestId);
    let text: string | undefined;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = await out.Body?.transformToString('utf8');
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name === 'NoSuchKey') return null;
      throw error;
    }
    const decoded =
      text === undefined
        ? { ok: false as const, reason: 'no body' }
        : decodeRecord(text, requestId);
    if (!decoded.ok) {
      this.logger.warn('ignoring corrupt result record', { key, reason: decoded.reason });
      return null;
    }
    return isExpired(decoded.record, this.now()) ? null : decoded.record;
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // HeadBucket errors have no body, so the SDK's own message is often just "UnknownError".
      const { name, message, $metadata } = error as {
        name?: string;
        message?: string;
        $metadata?: { httpStatusCode?: number };
      };
      const status = $metadata?.httpStatusCode ? ` (HTTP ${$metadata.httpStatusCode})` : '';
      throw new Error(
        `S3 bucket "${this.bucket}" at ${this.endpoint} is not usable: ${name}${status}: ${message}`,
        { cause: error },
      );
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
