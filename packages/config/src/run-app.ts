import { createLogger, type Logger } from '@openad-async/telemetry';

import { ConfigError, loadConfig, type Config } from './config';

/** What an app's main builds: something with an owner's start and close. */
export interface AppService {
  start(): Promise<unknown>;
  close(): Promise<void>;
}

export interface RunAppOptions<S extends AppService> {
  /** The `app` field of every log line, e.g. 'api' or 'worker'. */
  name: string;
  /**
   * Builds the service from the parsed config. An error thrown here (a plugin that fails to
   * import, say) is a start-up mistake like a bad variable: one line on stderr, exit 2.
   */
  build(config: Config, logger: Logger): Promise<S> | S;
  /** @defaultValue process.env */
  env?: Record<string, string | undefined>;
}

/**
 * The edge of each app: parse the environment once, build, start, and stop cleanly on
 * SIGTERM/SIGINT (exit 0), or exit non-zero with a clear message: 2 for configuration, 1 when
 * starting or stopping fails.
 */
export async function runApp<S extends AppService>(o: RunAppOptions<S>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(o.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) exitWith(2, err.message);
    throw err;
  }
  const logger = createLogger({ level: config.log.level, service: o.name });
  let service: S;
  try {
    service = await o.build(config, logger);
  } catch (err) {
    exitWith(2, err instanceof Error ? err.message : String(err));
  }
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
    logger.error(`${o.name} failed to start`, { err });
    await service.close().catch(() => undefined);
    process.exit(1);
  }
}

function exitWith(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
