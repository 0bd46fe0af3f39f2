import type { ModelDefinition } from '@openad-async/models';

import { graphGaModel } from './generation/graph-ga-model';
import { rdkitDescriptorsModel } from './molecule/rdkit-descriptors-model';
import { protparamModel } from './protein/protparam-model';

/**
 * The built-in models. Importing this module loads no model (RDKit's wasm starts inside each
 * model's `load()`), so the api can read the definitions and a host thread can import it freely.
 */
export const models: ModelDefinition[] = [rdkitDescriptorsModel, protparamModel, graphGaModel];

export default models;
