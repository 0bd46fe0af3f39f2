import { runApp } from '@openad-async/config';
import { createResultStore } from '@openad-async/results';

import { WorkerMetrics } from './metrics/worker-metrics';
import { createModelRuntime } from './model-runtime-factory';
import { WorkerService } from './worker-service';

void runApp({
  name: 'worker',
  build(config, logger) {
    const metrics = new WorkerMetrics();
    return new WorkerService({
      config,
      logger,
      metrics,
      runner: createModelRuntime(config, logger, [], { onLoad: metrics.modelLoaded }),
      store: createResultStore(config.results, logger),
      bull: {
        lockDuration: config.worker.lockDurationMs,
        stalledInterval: config.worker.stalledIntervalMs,
      },
    });
  },
});
