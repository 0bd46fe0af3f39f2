import type { ModelCacheStats } from '@openad-async/contracts';

import type {
  GenerationRecord,
  ModelDefinition,
  PredictInput,
  PropertyRow,
} from './model-definition';

export interface RunOptions {
  /** Aborted on deadline or cancel; its `reason` says which. */
  signal: AbortSignal;
  /** Progress from the model (subjects done, generations done, …). */
  onProgress?(done: number, total: number): void;
  /** Epoch ms after which the run may give up waiting for room; null = no deadline. */
  deadline?: number | null;
}

/**
 * What the worker needs from the model layer: run a model by id, report cache stats, and own
 * whatever it loads. Errors: `ModelRunError` subclasses (see model-errors.ts); an aborted run
 * rejects with `signal.reason`.
 */
export interface ModelRunner {
  start(): Promise<void>;
  definitions(): readonly ModelDefinition[];
  run(
    modelId: string,
    input: PredictInput<unknown>,
    options: RunOptions,
  ): Promise<PropertyRow[] | GenerationRecord[]>;
  stats(): ModelCacheStats;
  close(): Promise<void>;
}
