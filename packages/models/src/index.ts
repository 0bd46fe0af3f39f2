export * from './model-definition';
