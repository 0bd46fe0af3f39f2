export * from './errors';
export type { CallOptions, TransportOptions } from './http-transport';
export * from './openad-client';
export { SseParser, type SseMessage } from './sse-parser';
export { EventStreamUnavailableError, type StatusStreamOptions } from './status-stream';
export * from './types';
export * from './webhook-verify';
