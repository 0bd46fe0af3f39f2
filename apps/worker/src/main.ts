import { ConfigError, loadConfig } from '@openad-async/config';
import { createResultStore } from '@openad-async/results';
import { createLogger } from '@openad-async/telemetry';

import { WorkerMetrics } from './metrics/worker-metrics';
import { createModelRuntime } from './model-runtime-factory';
import { WorkerService } from './worker-service';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.log.level, service: 'worker' });
  const metrics = new WorkerMetrics();
  const service = new WorkerService({
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
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutdown requested', { signal });
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await service.start();
  } catch (err) {
    logger.error('worker failed to start', { err });
    await service.close(0).catch(() => undefined);
    process.exit(1);
  }
}

void main();
