import { builtinModulePath } from '@openad-async/catalog';
import { ConfigError, loadConfig, type Config } from '@openad-async/config';
import { loadModelModules } from '@openad-async/models';
import { createResultStore } from '@openad-async/results';
import { createLogger } from '@openad-async/telemetry';

import { ApiServer } from './api-server';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.log.level, service: 'api' });
  let models;
  try {
    // The same modules the workers load, so the api accepts exactly what they can run.
    const modules = await loadModelModules([builtinModulePath(), ...config.models.plugins]);
    models = modules.flatMap((m) => m.definitions);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const server = new ApiServer({
    config,
    logger,
    store: createResultStore(config.results, logger),
    models,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutdown requested', { signal });
    server.close().then(
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
    await server.start();
  } catch (err) {
    logger.error('api failed to start', { err });
    await server.close().catch(() => undefined);
    process.exit(1);
  }
}

void main();
