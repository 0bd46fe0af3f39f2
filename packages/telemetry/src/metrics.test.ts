import { Counter } from 'prom-client';

import {
  EventLoopLagMonitor,
  createRegistry,
  mirrorCounter,
  registerProcessMetrics,
} from './metrics';

describe('metrics helpers', () => {
  it('when a counter mirrors an outside total, then each scrape shows the latest total', async () => {
    const registry = createRegistry();
    const counter = new Counter({
      name: 'x_total',
      help: 'x',
      labelNames: ['k'] as const,
      registers: [registry],
    });
    mirrorCounter(counter, [[{ k: 'a' }, 3]]);
    mirrorCounter(counter, [
      [{ k: 'a' }, 5],
      [{ k: 'b' }, 1],
    ]);
    const text = await registry.metrics();
    expect(text).toContain('x_total{k="a"} 5');
    expect(text).toContain('x_total{k="b"} 1');
  });

  it('when two registries exist, then the same metric names do not collide', async () => {
    const a = createRegistry();
    const b = createRegistry();
    registerProcessMetrics(a);
    registerProcessMetrics(b);
    expect(await b.metrics()).toMatch(/openad_async_process_resident_memory_bytes \d+/);
  });

  it('when the lag monitor runs, then it reports stats; once closed, nothing', async () => {
    const registry = createRegistry();
    const lag = new EventLoopLagMonitor({ registry, resolutionMs: 10 });
    lag.start();
    await new Promise((r) => setTimeout(r, 60));
    const text = await registry.metrics();
    for (const stat of ['mean', 'p50', 'p99', 'max']) {
      expect(text).toMatch(
        new RegExp(`openad_async_event_loop_lag_seconds\\{stat="${stat}"\\} [0-9.e-]+`),
      );
    }
    lag.close();
    lag.close();
  });
});
