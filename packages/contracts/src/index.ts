export * from './errors';
export * from './job';
export * from './priority';
export * from './service-definition';
export * from './service-request';
export * from './service-types';
export * from './stats';
export * from './status';
