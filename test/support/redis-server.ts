import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';

/** A port nobody listens on right now (the OS picks it; we release it for the caller). */
export async function freePort(): Promise<number> {
  return listenOnce(0);
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A free port below the ephemeral range, for servers a test stops and starts again. While one is
 * down its clients keep reconnecting, and a connect to a closed loopback port inside the
 * ephemeral range can pick that same port as its own source and connect to itself, which then
 * holds the port and keeps the server from starting again.
 */
export async function freeStablePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    try {
      return await listenOnce(port);
    } catch {
      // taken: try another
    }
  }
  throw new Error('no free port in 20000-31999');
}

/**
 * A private `redis-server` child on a free port, persisting every write to an AOF
 * (`appendfsync always`) in its own directory, so a test may stop it and start it again on the
 * same data, or load it without disturbing anyone else's Redis.
 */
export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'openad-redis-'));
  private child: ChildProcess | null = null;
  private log = '';

  private constructor(
    readonly port: number,
    private readonly aof: boolean,
  ) {}

  /** `aof: false` for tests that never restart it and would only pay for the fsyncs. */
  static async start(options: { aof?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freeStablePort(), options.aof ?? true);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts (or restarts) the server on the same port and directory; resolves once it answers. */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        this.aof ? 'yes' : 'no',
        '--appendfsync',
        'always',
        '--save',
        '',
        // BullMQ needs every key kept; a full test Redis must refuse writes, not drop jobs.
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child = child;
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const end = Date.now() + 10000;
    try {
      for (;;) {
        try {
          if (probe.status !== 'ready') await probe.connect();
          // Loading the AOF answers LOADING until the data is back.
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          if (child.exitCode !== null || Date.now() > end) {
            throw new Error(`redis-server on ${this.port} did not start:\n${this.log}`);
          }
          probe.disconnect();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      probe.disconnect();
    }
  }

  /** Stops the server (SIGTERM: it fsyncs and exits) and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }

  /** A plain client for assertions; the caller disconnects it. */
  client(): Redis {
    const redis = new Redis(this.url, { maxRetriesPerRequest: 3 });
    redis.on('error', () => undefined);
    return redis;
  }

  /** Stops the server and removes its data. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
