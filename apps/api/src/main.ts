import { builtinModulePath } from '@openad-async/catalog';
import { runApp } from '@openad-async/config';
import { loadModelModules } from '@openad-async/models';
import { createResultStore } from '@openad-async/results';

import { ApiServer } from './api-server';

void runApp({
  name: 'api',
  async build(config, logger) {
    // The same modules the workers load, so the api accepts exactly what they can run.
    const modules = await loadModelModules([builtinModulePath(), ...config.models.plugins]);
    return new ApiServer({
      config,
      logger,
      store: createResultStore(config.results, logger),
      models: modules.flatMap((m) => m.definitions),
    });
  },
});
