import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { silentLogger } from '@openad-async/telemetry';

import type { ModelHostOptions } from './model-host';
import { ModelHost, resolveHostThreadPath } from './model-host';

const fixtures = path.join(__dirname, '..', 'test-fixtures');
const osThreads = (): number => readdirSync('/proc/self/task').length;
const live = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

describe('ModelHost', () => {
  const hosts: ModelHost[] = [];
  let threadsBefore = 0;
  let dir: string;

  beforeEach(() => {
    threadsBefore = osThreads();
    dir = mkdtempSync(path.join(os.tmpdir(), 'model-host-'));
  });

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.unload()));
    rmSync(dir, { recursive: true, force: true });
    expect(osThreads()).toBeLessThanOrEqual(threadsBefore);
  });

  async function start(
    module: string,
    modelId: string,
    options: Partial<ModelHostOptions> = {},
    signal?: AbortSignal,
  ): Promise<ModelHost> {
    const host = await ModelHost.start(
      {
        modulePath: path.join(fixtures, module),
        modelId,
        logger: silentLogger,
        abortGraceMs: 200,
        ...options,
      },
      signal,
    );
    hosts.push(host);
    return host;
  }

  it('under jest, the thread entry resolves to the compiled dist file', () => {
    expect(resolveHostThreadPath()).toBe(path.join(__dirname, '..', 'dist', 'host-thread.js'));
  });

  it('when unloaded, then the model’s own unload runs before the thread ends', async () => {
    const marker = path.join(dir, 'unloaded');
    let ended = 0;
    const host = await start('lifecycle.js', 'tidy', { onEnd: () => (ended += 1) });
    await host.predict({ property_type: ['p'], subjects: ['C'], parameters: { marker } }, live());
    expect(host.alive).toBe(true);
    await host.unload();
    expect(readFileSync(marker, 'utf8')).toBe('unloaded');
    expect(host.alive).toBe(false);
    expect(ended).toBe(1);
    await expect(
      host.predict({ property_type: ['p'], subjects: ['C'], parameters: {} }, live()),
    ).rejects.toMatchObject({ code: 'MODEL_CRASHED' });
  });

  it('when a load is abandoned, then start rejects and the thread is gone', async () => {
    const controller = new AbortController();
    const starting = start('lifecycle.js', 'slow-load', {}, controller.signal);
    setTimeout(() => controller.abort(new Error('closing')), 100);
    await expect(starting).rejects.toThrow(/load stopped: the load was abandoned/);
    expect(existsSync(dir)).toBe(true);
  });

  it('when the module lacks the model, then start rejects naming both', async () => {
    await expect(start('echo.js', 'missing')).rejects.toThrow(/echo\.js has no model "missing"/);
  });

  it('when a model reports progress often, then messages are throttled and the last one arrives', async () => {
    const host = await start('cooperative-slow.js', 'cooperative-slow', {
      progressIntervalMs: 100,
    });
    const progress: number[] = [];
    await host.predict(
      { property_type: ['p'], subjects: ['C'], parameters: { steps: 30 } },
      { ...live(), onProgress: (done) => progress.push(done) },
    );
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThan(15);
    expect(progress.at(-1)).toBe(30);
    expect(host.measuredSizeMb).toBeGreaterThan(0);
  });
});
