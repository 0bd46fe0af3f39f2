import { closeRedis, createRedis, isConnectionError } from './redis-connection';

describe('isConnectionError', () => {
  it('when a fail-fast connection has no Redis to talk to, then its command fails fast with an error that counts as unreachable', async () => {
    // Port 1: nothing listens there, and as a privileged port it is never a client's source
    // port (a retried connect to a closed ephemeral port can end up connected to itself).
    const redis = createRedis({ url: 'redis://127.0.0.1:1' });
    redis.on('error', () => undefined);
    const started = Date.now();
    let error: unknown;
    try {
      await redis.get('anything');
    } catch (e) {
      error = e;
    }
    // ioredis 6 stops reconnecting on disconnect() but, between attempts, never emits 'end'.
    await closeRedis(redis);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(isConnectionError(error)).toBe(true);
  });

  it('when Redis answers with an error of its own, then that is not an outage', async () => {
    const redis = createRedis({ url: 'redis://127.0.0.1:6379' });
    let error: unknown;
    try {
      await redis.call('NO-SUCH-COMMAND');
    } catch (e) {
      error = e;
    } finally {
      await closeRedis(redis);
    }
    expect(error).toBeInstanceOf(Error);
    expect(isConnectionError(error)).toBe(false);
  });

  it.each([
    ['a socket error code', true, Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
    ['a wrapped socket error', true, new Error('S3 put', { cause: { code: 'ECONNRESET' } })],
    ['a closed connection', true, new Error('Connection is closed.')],
    ['a plain bug', false, new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a file error', false, Object.assign(new Error('open'), { code: 'ENOENT' })],
    ['not an error', false, 'ECONNREFUSED'],
  ] as const)('when the error is %s, then isConnectionError says %s', (_what, expected, error) => {
    expect(isConnectionError(error)).toBe(expected);
  });
});
