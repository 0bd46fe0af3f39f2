import type { LoadFootprint } from './load-footprint';
import type { GenerationRecord, PredictInput, PropertyRow } from './model-definition';

/**
 * Messages between a model host (main thread) and its thread. Plain data only: everything
 * crosses by structured clone, so no functions, class instances or signals.
 */

/** What the thread is started with. */
export interface HostWorkerData {
  /** Absolute path of the model module, loaded with `require`. */
  modulePath: string;
  modelId: string;
  /** Least time between two progress messages of one run, ms (the last one always goes). */
  progressIntervalMs: number;
}

/** An Error flattened for postMessage. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

export type MainToHost =
  | { type: 'predict'; runId: number; input: PredictInput<unknown> }
  | { type: 'abort'; runId: number; reason: string }
  | { type: 'unload' };

export type HostToMain =
  | { type: 'loaded'; footprint: LoadFootprint }
  | { type: 'load_failed'; error: WireError }
  | { type: 'progress'; runId: number; done: number; total: number }
  | { type: 'result'; runId: number; output: PropertyRow[] | GenerationRecord[] }
  | { type: 'failed'; runId: number; error: WireError }
  | { type: 'unloaded'; error?: WireError };

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: 'Error', message: String(error) };
}

export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
