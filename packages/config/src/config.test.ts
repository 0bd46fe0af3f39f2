import { ConfigError, KNOWN_ENV_VARS, loadConfig, publicConfig } from './config';

describe('loadConfig', () => {
  it('when nothing is set, then every spec default applies', () => {
    const c = loadConfig({});
    expect(c.queue).toEqual({
      maxQueueSize: 1000,
      defaultRequestTimeoutSeconds: null,
      defaultPriority: 'normal',
      prefix: 'openad',
      syncWaitSeconds: 300,
    });
    expect(c.worker.concurrency).toBe(4);
    expect(c.worker.queues).toEqual(['property', 'generation']);
    expect(c.models).toEqual({
      maxModels: 5,
      maxMemoryMb: null,
      evictionStrategy: 'least_recently_used',
      memoryHeadroomMb: 1000,
      plugins: [],
    });
    expect(c.results).toMatchObject({
      store: 'fs',
      ttlHours: 24,
      dir: '/tmp/openad_async_results',
      cleanupIntervalSeconds: 3600,
      s3: null,
    });
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.api).toMatchObject({
      port: 8080,
      maxBodyKb: 1024,
      recordCacheMb: 32,
      apiKeys: [],
      dashboardReadonly: true,
    });
  });

  it('when the spec variables are set, then they are parsed with their units', () => {
    const c = loadConfig({
      OPENAD_ASYNC_MAX_QUEUE_SIZE: '50',
      OPENAD_ASYNC_DEFAULT_REQUEST_TIMEOUT: '300',
      OPENAD_ASYNC_DEFAULT_REQUEST_PRIORITY: 'HIGH',
      OPENAD_ASYNC_MAX_WORKERS: '8',
      OPENAD_ASYNC_MAX_MODELS: '2',
      OPENAD_ASYNC_MAX_MEMORY_MB: '4000',
      OPENAD_ASYNC_EVICTION_STRATEGY: 'lfu',
      OPENAD_ASYNC_MEMORY_HEADROOM_MB: '0',
      OPENAD_ASYNC_RESULT_TTL_HOURS: '1.5',
      OPENAD_ASYNC_RESULT_DIR: '/var/results',
      OPENAD_ASYNC_CLEANUP_INTERVAL_SECONDS: '60',
      OPENAD_ASYNC_WORKER_QUEUES: 'generation',
      PORT: '0',
    });
    expect(c.queue.maxQueueSize).toBe(50);
    expect(c.queue.defaultRequestTimeoutSeconds).toBe(300);
    expect(c.queue.defaultPriority).toBe('high');
    expect(c.worker.concurrency).toBe(8);
    expect(c.worker.queues).toEqual(['generation']);
    expect(c.models).toEqual({
      maxModels: 2,
      maxMemoryMb: 4000,
      evictionStrategy: 'least_frequently_used',
      memoryHeadroomMb: 0,
      plugins: [],
    });
    expect(c.results.ttlHours).toBe(1.5);
    expect(c.results.dir).toBe('/var/results');
    expect(c.api.port).toBe(0);
  });

  it.each([
    ['lru', 'least_recently_used'],
    ['least_recently_used', 'least_recently_used'],
    ['LFU', 'least_frequently_used'],
    ['size', 'largest_size'],
    ['largest_size', 'largest_size'],
  ])('when EVICTION_STRATEGY=%s, then the strategy is %s', (value, expected) => {
    expect(loadConfig({ OPENAD_ASYNC_EVICTION_STRATEGY: value }).models.evictionStrategy).toBe(
      expected,
    );
  });

  it.each([
    ['OPENAD_ASYNC_MAX_WORKERS', 'abc', 'whole number'],
    ['OPENAD_ASYNC_MAX_WORKERS', '0', 'whole number from 1'],
    ['OPENAD_ASYNC_MAX_QUEUE_SIZE', '-5', 'whole number >= 1'],
    ['OPENAD_ASYNC_EVICTION_STRATEGY', 'random', 'must be one of'],
    ['OPENAD_ASYNC_DEFAULT_REQUEST_PRIORITY', 'urgent', 'must be one of'],
    ['OPENAD_ASYNC_RESULT_TTL_HOURS', '0', 'number > 0'],
    ['OPENAD_ASYNC_DEFAULT_REQUEST_TIMEOUT', 'soon', 'or "none"'],
    ['OPENAD_ASYNC_REDIS_URL', 'http://x', 'redis://'],
    ['OPENAD_ASYNC_RESULT_STORE', 'gcs', 'must be one of fs, s3'],
    ['OPENAD_ASYNC_WORKER_QUEUES', 'property,other', 'property and/or generation'],
    ['PORT', '70000', 'from 0 to 65535'],
    ['OPENAD_ASYNC_LOCK_DURATION_MS', '500', 'whole number >= 1000'],
    ['OPENAD_ASYNC_STALLED_INTERVAL_MS', '2.5s', 'whole number >= 1000'],
  ])('when %s=%s, then start stops with a message naming it', (name, value, rule) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).toContain(JSON.stringify(value));
    expect(message).toContain(rule);
  });

  it('when the BullMQ lock and stall timings are unset or set, then they are in ms with defaults of 30 s', () => {
    expect(loadConfig({}).worker).toMatchObject({
      lockDurationMs: 30000,
      stalledIntervalMs: 30000,
    });
    const c = loadConfig({
      OPENAD_ASYNC_LOCK_DURATION_MS: '4000',
      OPENAD_ASYNC_STALLED_INTERVAL_MS: '1500',
    });
    expect(c.worker).toMatchObject({ lockDurationMs: 4000, stalledIntervalMs: 1500 });
  });

  it('when the auth, dashboard, rate limit, CORS and metrics variables are set, then they are parsed', () => {
    expect(loadConfig({}).api).toMatchObject({
      adminKeys: [],
      rateLimitPerMinute: 0,
      corsOrigins: [],
      metricsPublic: true,
    });
    const c = loadConfig({
      OPENAD_ASYNC_API_KEYS: 'user-key-0123456789,other-key-0123456789',
      OPENAD_ASYNC_ADMIN_KEYS: 'admin-key-0123456789',
      OPENAD_ASYNC_DASHBOARD_READONLY: 'false',
      OPENAD_ASYNC_RATE_LIMIT_PER_MINUTE: '120',
      OPENAD_ASYNC_CORS_ORIGINS: 'https://a.example,https://b.example',
      OPENAD_ASYNC_METRICS_PUBLIC: 'false',
    });
    expect(c.api).toMatchObject({
      apiKeys: ['user-key-0123456789', 'other-key-0123456789'],
      adminKeys: ['admin-key-0123456789'],
      dashboardReadonly: false,
      rateLimitPerMinute: 120,
      corsOrigins: ['https://a.example', 'https://b.example'],
      metricsPublic: false,
    });
    expect(() => loadConfig({ OPENAD_ASYNC_METRICS_PUBLIC: 'maybe' })).toThrow(
      /OPENAD_ASYNC_METRICS_PUBLIC="maybe": must be true or false/,
    );
    expect(() => loadConfig({ OPENAD_ASYNC_API_KEYS: 'short' })).toThrow(/at least 16/);
  });

  it('when the store is s3 without a bucket, then it names the missing bucket', () => {
    expect(() => loadConfig({ OPENAD_ASYNC_RESULT_STORE: 's3' })).toThrow(/OPENAD_ASYNC_S3_BUCKET/);
  });

  it('when a timeout or memory limit is "none", then there is no limit', () => {
    const c = loadConfig({
      OPENAD_ASYNC_DEFAULT_REQUEST_TIMEOUT: 'None',
      OPENAD_ASYNC_MAX_MEMORY_MB: 'none',
    });
    expect(c.queue.defaultRequestTimeoutSeconds).toBeNull();
    expect(c.models.maxMemoryMb).toBeNull();
  });

  it('when the redis url has a password, then the public config hides it', () => {
    const c = loadConfig({ OPENAD_ASYNC_REDIS_URL: 'redis://user:hunter2@redis:6379/0' });
    const shown = JSON.stringify(publicConfig(c));
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('redis:6379');
  });

  it('lists every variable it reads', () => {
    expect(KNOWN_ENV_VARS).toEqual(
      expect.arrayContaining([
        'OPENAD_ASYNC_MAX_WORKERS',
        'OPENAD_ASYNC_S3_BUCKET',
        'PORT',
        'LOG_LEVEL',
      ]),
    );
  });
});

describe('loadConfig: live status and webhooks', () => {
  it('when nothing is set, then callbacks are off, private targets refused, retries bounded', () => {
    const c = loadConfig({});
    expect(c.events).toEqual({ heartbeatSeconds: 15 });
    expect(c.webhooks).toEqual({
      secret: null,
      allowPrivate: false,
      maxAttempts: 5,
      backoffSeconds: 2,
      timeoutSeconds: 10,
    });
  });

  it('when the webhook variables are set, then they are parsed with their units', () => {
    const c = loadConfig({
      OPENAD_ASYNC_WEBHOOK_SECRET: 'x'.repeat(32),
      OPENAD_ASYNC_CALLBACK_ALLOW_PRIVATE: 'true',
      OPENAD_ASYNC_WEBHOOK_MAX_ATTEMPTS: '3',
      OPENAD_ASYNC_WEBHOOK_BACKOFF_SECONDS: '0.5',
      OPENAD_ASYNC_WEBHOOK_TIMEOUT_SECONDS: '4',
      OPENAD_ASYNC_SSE_HEARTBEAT_SECONDS: '1',
    });
    expect(c.webhooks).toEqual({
      secret: 'x'.repeat(32),
      allowPrivate: true,
      maxAttempts: 3,
      backoffSeconds: 0.5,
      timeoutSeconds: 4,
    });
    expect(c.events.heartbeatSeconds).toBe(1);
  });

  it.each([
    ['OPENAD_ASYNC_WEBHOOK_SECRET', 'short', 'at least 32'],
    ['OPENAD_ASYNC_CALLBACK_ALLOW_PRIVATE', 'maybe', 'true or false'],
    ['OPENAD_ASYNC_WEBHOOK_MAX_ATTEMPTS', '0', 'from 1 to 20'],
    ['OPENAD_ASYNC_WEBHOOK_MAX_ATTEMPTS', '50', 'from 1 to 20'],
    ['OPENAD_ASYNC_WEBHOOK_BACKOFF_SECONDS', '0', 'number > 0'],
    ['OPENAD_ASYNC_SSE_HEARTBEAT_SECONDS', '-1', 'number > 0'],
  ])('when %s=%s, then start stops naming it', (name, value, rule) => {
    expect(() => loadConfig({ [name]: value })).toThrow(name);
    expect(() => loadConfig({ [name]: value })).toThrow(rule);
  });

  it('when the webhook secret is set, then the public config does not show it', () => {
    const shown = JSON.stringify(
      publicConfig(loadConfig({ OPENAD_ASYNC_WEBHOOK_SECRET: 'y'.repeat(40) })),
    );
    expect(shown).not.toContain('y'.repeat(40));
    expect(KNOWN_ENV_VARS).toEqual(
      expect.arrayContaining([
        'OPENAD_ASYNC_WEBHOOK_SECRET',
        'OPENAD_ASYNC_CALLBACK_ALLOW_PRIVATE',
      ]),
    );
  });
});
