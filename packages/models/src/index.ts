export * from './model-definition';
export * from './model-errors';
export * from './model-runner';
