import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT } from './processes';
import { freeStablePort } from './redis-server';

/**
 * s3rver in a child process of its own, so "S3 is down" is a dead server (connections refused),
 * not a paused one, and its work never competes with the test's event loop.
 */
const MAIN = `
const S3rver = require('s3rver');
const [port, directory, bucket] = process.argv.slice(1);
new S3rver({ address: '127.0.0.1', port: Number(port), silent: true, directory,
  configureBuckets: [{ name: bucket }] })
  .run()
  .then(() => process.stdout.write('s3rver listening\\n'));
`;

/** A real S3 server (s3rver) on a fixed free port and directory, stoppable and restartable. */
export class S3Server {
  readonly dir = mkdtempSync(join(tmpdir(), 'openad-s3-'));
  readonly bucket = 'openad-faults';
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<S3Server> {
    const server = new S3Server(await freeStablePort());
    await server.start();
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The variables that point the apps at this server. */
  env(): Record<string, string> {
    return {
      OPENAD_ASYNC_RESULT_STORE: 's3',
      OPENAD_ASYNC_S3_BUCKET: this.bucket,
      OPENAD_ASYNC_S3_ENDPOINT: this.endpoint,
      OPENAD_ASYNC_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    };
  }

  /** Starts (or restarts) it on the same port and directory: every stored object is still there. */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(process.execPath, ['-e', MAIN, String(this.port), this.dir, this.bucket], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`s3rver did not start:\n${out}`)), 15000);
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes('s3rver listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited with ${code}:\n${out}`));
      });
    });
  }

  /** Kills the server: in-flight and new requests fail until start(). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
