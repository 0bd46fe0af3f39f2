import { createRequire } from 'node:module';
import path from 'node:path';

import type { ModelDefinition } from './model-definition';
import { definitionsOf } from './model-module';
import { errorMessage } from './signals';

export interface ModelModule {
  /** Absolute path the module resolved to; model host threads load it from there. */
  modulePath: string;
  definitions: ModelDefinition[];
}

export interface LoadModelModulesOptions {
  /** Relative paths resolve against it, and package names are looked up from it first. @defaultValue process.cwd() */
  cwd?: string;
}

const requireModule = createRequire(__filename);

/** Relative or absolute paths resolve against `cwd`; package names from `cwd`, then from here. */
function resolveSpecifier(specifier: string, cwd: string): string {
  const isPath = specifier.startsWith('.') || path.isAbsolute(specifier);
  if (isPath) return requireModule.resolve(path.resolve(cwd, specifier));
  try {
    return requireModule.resolve(specifier, { paths: [cwd] });
  } catch {
    return requireModule.resolve(specifier);
  }
}

/**
 * Imports model modules (the built-in catalog's and `OPENAD_ASYNC_PLUGINS`) and validates their
 * definitions. Reads metadata only: `load()` is never called here. Throws an Error naming the
 * module when one cannot be resolved, imported or validated, and naming both modules when two
 * define the same id.
 */
export async function loadModelModules(
  specifiers: readonly string[],
  options: LoadModelModulesOptions = {},
): Promise<ModelModule[]> {
  const cwd = options.cwd ?? process.cwd();
  const modules: ModelModule[] = [];
  const owners = new Map<string, string>();
  for (const specifier of specifiers) {
    let modulePath: string;
    let exported: unknown;
    try {
      modulePath = resolveSpecifier(specifier, cwd);
      exported = requireModule(modulePath);
    } catch (error) {
      throw new Error(`Model module "${specifier}" could not be loaded: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    const definitions = definitionsOf(exported, modulePath);
    for (const definition of definitions) {
      const owner = owners.get(definition.id);
      if (owner !== undefined) {
        throw new Error(
          `Model id "${definition.id}" is defined twice: in ${owner} and in ${modulePath}`,
        );
      }
      owners.set(definition.id, modulePath);
    }
    modules.push({ modulePath, definitions });
  }
  return modules;
}
