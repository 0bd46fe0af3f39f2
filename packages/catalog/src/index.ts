export { builtinModulePath } from './builtin-module';
export { models as builtinModels } from './builtins';
export * from './model-registry';
export * from './service-definitions';
