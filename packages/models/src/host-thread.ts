/**
 * Entry of a model host thread (runs as compiled JS inside a worker_thread). Imports the model
 * module, loads one model, then serves predict / abort / unload messages from its ModelHost.
 * Blocking model code blocks only this thread; the worker's event loop stays free.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

import type { HostToMain, HostWorkerData, MainToHost } from './host-protocol';
import { toWireError } from './host-protocol';
import { measureFootprint } from './load-footprint';
import type { LoadedModel, ModelDefinition, PredictInput } from './model-definition';
import { definitionsOf } from './model-module';

const port = parentPort;
if (port === null) throw new Error('host-thread must run in a worker_thread');
const data = workerData as HostWorkerData;
const requireModule = createRequire(__filename);
const controllers = new Map<number, AbortController>();

function post(message: HostToMain): void {
  port?.postMessage(message);
}

/** Sends progress at most every `progressIntervalMs`, always the first and the final report. */
function progressReporter(runId: number): {
  report(done: number, total: number): void;
  flush(): void;
} {
  let lastSent = -Infinity;
  let pending: { done: number; total: number } | null = null;
  const send = (done: number, total: number): void => {
    lastSent = Date.now();
    pending = null;
    post({ type: 'progress', runId, done, total });
  };
  return {
    report(done, total) {
      if (done >= total || Date.now() - lastSent >= data.progressIntervalMs) send(done, total);
      else pending = { done, total };
    },
    flush() {
      if (pending !== null) send(pending.done, pending.total);
    },
  };
}

/** `input.parameters` arrive parsed (the caller resolves them with the model's schema). */
async function predict(
  definition: ModelDefinition,
  model: LoadedModel,
  runId: number,
  input: PredictInput<unknown>,
): Promise<void> {
  const controller = new AbortController();
  controllers.set(runId, controller);
  const progress = progressReporter(runId);
  try {
    const output = await model.predict(input, {
      signal: controller.signal,
      progress: (done, total) => progress.report(done, total),
    });
    progress.flush();
    try {
      post({ type: 'result', runId, output });
    } catch (error) {
      throw new Error(
        `Model "${definition.id}" returned output that cannot be sent: ${String(error)}`,
      );
    }
  } catch (error) {
    post({ type: 'failed', runId, error: toWireError(error) });
  } finally {
    controllers.delete(runId);
  }
}

/** The host terminates the thread on 'unloaded', whether `unload()` succeeded or not. */
async function unload(model: LoadedModel): Promise<void> {
  try {
    await model.unload?.();
    post({ type: 'unloaded' });
  } catch (error) {
    post({ type: 'unloaded', error: toWireError(error) });
  }
}

async function main(): Promise<void> {
  const rssBeforeMb = process.memoryUsage().rss / (1024 * 1024);
  let definition: ModelDefinition;
  let model: LoadedModel;
  try {
    const found = definitionsOf(requireModule(data.modulePath), data.modulePath).find(
      (d) => d.id === data.modelId,
    );
    if (found === undefined) {
      throw new Error(`Model module ${data.modulePath} has no model "${data.modelId}"`);
    }
    definition = found;
    model = await found.load();
  } catch (error) {
    post({ type: 'load_failed', error: toWireError(error) });
    return;
  }
  port?.on('message', (message: MainToHost) => {
    switch (message.type) {
      case 'predict':
        void predict(definition, model, message.runId, message.input);
        break;
      case 'abort': {
        const reason = new Error(message.reason);
        reason.name = 'AbortError';
        controllers.get(message.runId)?.abort(reason);
        break;
      }
      case 'unload':
        void unload(model);
        break;
    }
  });
  post({ type: 'loaded', footprint: measureFootprint(rssBeforeMb) });
}

void main();
