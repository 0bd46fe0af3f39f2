import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

import { ROOT } from '../support/processes';
import { http, until } from '../support/stack';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function runStart(env: Record<string, string>) {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, exited, output: () => out };
}

describe('npm start', () => {
  it('when no Redis answers and redis-server is not installed, then it exits 1 with one line saying how to get Redis', async () => {
    const port = await freePort();
    // A PATH with node and nothing else: no redis-server to be found.
    const bin = mkdtempSync(join(tmpdir(), 'openad-bin-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const run = runStart({
      PATH: bin,
      OPENAD_ASYNC_REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(await run.exited).toBe(1);
    rmSync(bin, { recursive: true, force: true });
    expect(run.output().trim()).toBe(
      `No Redis answers at redis://127.0.0.1:${port} and redis-server is not installed: install it (e.g. apt-get install redis-server) or set OPENAD_ASYNC_REDIS_URL.`,
    );
  });

  it('when no Redis answers but redis-server exists, then it runs a private one with the api and a worker, and Ctrl-C stops all', async () => {
    const redisPort = await freePort();
    const apiPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'openad-start-'));
    const run = runStart({
      PATH: process.env.PATH ?? '',
      OPENAD_ASYNC_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      OPENAD_ASYNC_QUEUE_PREFIX: `s${randomBytes(4).toString('hex')}`,
      OPENAD_ASYNC_RESULT_DIR: dir,
      PORT: String(apiPort),
    });
    try {
      const url = `http://127.0.0.1:${apiPort}`;
      await until(
        () => http(`${url}/readyz`).catch(() => ({ status: 0, body: null })),
        (r) => r.status === 200,
        60000,
      );
      const res = await until(
        () =>
          http(`${url}/service`, {
            body: {
              service_type: 'get_molecule_property',
              service_name: 'get molecule rdkit',
              parameters: { property_type: ['molecular_weight'], subjects: ['CCO'] },
            },
          }),
        (r) => r.status === 200,
        30000,
      );
      expect(res.body).toEqual([
        { subject: 'CCO', property: 'molecular_weight', result: expect.closeTo(46.07, 1) },
      ]);
      expect(run.output()).toContain(
        `Started a private redis-server at redis://127.0.0.1:${redisPort}`,
      );
    } finally {
      run.child.kill('SIGINT');
      expect(await run.exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
    // The private Redis went with it.
    const probe = await http(`http://127.0.0.1:${apiPort}/health`).catch(() => null);
    expect(probe).toBeNull();
  }, 120000);
});
