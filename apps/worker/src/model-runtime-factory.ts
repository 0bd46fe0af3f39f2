import { builtinModulePath } from '@openad-async/catalog';
import type { Config } from '@openad-async/config';
import { ModelRuntime, type ModelRuntimeOptions } from '@openad-async/models';
import type { Logger } from '@openad-async/telemetry';

/** The worker's model layer from config: built-ins plus `OPENAD_ASYNC_PLUGINS`, in threads. */
export function createModelRuntime(
  config: Config,
  logger: Logger,
  extraModules: readonly string[] = [],
  hooks: Pick<ModelRuntimeOptions, 'onLoad'> = {},
): ModelRuntime {
  return new ModelRuntime({
    modules: [builtinModulePath(), ...config.models.plugins, ...extraModules],
    maxModels: config.models.maxModels,
    maxMemoryMb: config.models.maxMemoryMb,
    memoryHeadroomMb: config.models.memoryHeadroomMb,
    evictionStrategy: config.models.evictionStrategy,
    logger,
    ...hooks,
  });
}
